import {
  type ProviderKind,
  type ProviderTestErrorCode,
  providerRequiresApiKey,
  type TestProviderInput,
  type TestProviderResult,
} from "@tandem/contracts";
import { providerCredentials } from "@tandem/db";
import { eq } from "drizzle-orm";
import { actorRole, type Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";
import { createProvider } from "../llm/create-provider.ts";
import { LlmError } from "../llm/types.ts";
import { assertOutboundUrlAllowed, outboundRefusalOf } from "../net/outbound.ts";
import { assertCan } from "../policy.ts";
import {
  buildProviderConfig,
  type CredentialRow,
  defaultBaseUrl,
  findCredential,
  type ProviderDeps,
  readApiKey,
} from "./provider-deps.ts";

/** A test is a person waiting on a button: one attempt, no retries, a short deadline. */
export const PROVIDER_TEST_TIMEOUT_MS = 10_000;
const TEST_PROMPT = "This is a connection test. Reply with one short sentence.";
const SAMPLE_LENGTH = 200;

const LABELS: Record<ProviderKind, string> = {
  OPENAI: "OpenAI",
  GEMINI: "Gemini",
  OPENROUTER: "OpenRouter",
  OPENAI_COMPATIBLE: "the OpenAI-compatible server",
  OFFLINE: "the offline provider",
};

/**
 * "Test connection": one tiny generation with the given key and base URL, or the stored ones of that
 * kind when they are left out. Always a verdict, never an HTTP error: `ok` with the model, latency and
 * the start of the answer, or the normalised error code with a sentence saying what to do. Testing the
 * stored credential as it is records the result on it. OFFLINE needs no network and always passes.
 *
 * A stored key only ever goes to the base URL it was saved with: testing another base URL needs the
 * key typed again (`api_key_required`), or, where a key is optional, runs without one. A base URL on
 * a private network is refused unless the operator allows it (`url_not_allowed`). The verdict never
 * carries the upstream body, only a short classified reason.
 */
export async function testProvider(
  ctx: Ctx,
  input: TestProviderInput,
  deps: ProviderDeps,
  /** A named credential to test instead of the workspace's credential of that kind. */
  credential?: CredentialRow,
): Promise<TestProviderResult> {
  assertCan(actorRole(ctx.actor), "providers.manage");
  const kind = input.provider;
  if (kind === "OFFLINE") {
    return {
      ok: true,
      provider: kind,
      model: input.model,
      latencyMs: 0,
      sample: "",
      message: "The offline provider answers from the chatbot's FAQ and knowledge, without a network or a key.",
    };
  }

  const stored = credential ?? (await findCredential(ctx.db, ctx.workspaceId, kind));
  const typedBaseUrl = input.baseUrl ? input.baseUrl.replace(/\/+$/, "") : undefined;
  const savedBaseUrl = stored?.baseUrl ?? defaultBaseUrl(deps.config, kind);
  const otherBaseUrl = typedBaseUrl !== undefined && typedBaseUrl !== savedBaseUrl;
  let apiKey = input.apiKey || undefined;
  if (!apiKey && otherBaseUrl && stored?.apiKeyEncrypted) {
    if (providerRequiresApiKey(kind)) {
      return failure(
        kind,
        "api_key_required",
        `Type the API key again to test ${typedBaseUrl}: a saved key is only sent to the base URL it was saved with.`,
        null,
      );
    }
  } else {
    try {
      apiKey ??= readApiKey(deps.keyring, stored);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      // Sealed with an encryption key this server no longer has (ENCRYPTION_KEY changed).
      return failure(
        kind,
        "provider_not_configured",
        `The stored key cannot be decrypted: enter it again. ${error.message}`,
        null,
      );
    }
  }
  const baseUrl = typedBaseUrl ?? stored?.baseUrl;
  if (typedBaseUrl) {
    try {
      await assertOutboundUrlAllowed(deps.config.outbound, typedBaseUrl, "baseUrl");
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return failure(kind, "url_not_allowed", error.message, null);
    }
  }
  const config = buildProviderConfig(deps, kind, { apiKey, baseUrl });
  if (!config) {
    return failure(
      kind,
      "provider_not_configured",
      providerRequiresApiKey(kind)
        ? `Enter an API key for ${LABELS[kind]}: none is stored for it yet.`
        : `Enter the base URL of ${LABELS[kind]}.`,
      null,
    );
  }

  let verdict: TestProviderResult;
  try {
    const provider = createProvider(config, {
      baseUrls: deps.config.llm,
      retry: { maxRetries: 0 },
      timeoutMs: PROVIDER_TEST_TIMEOUT_MS,
    });
    const result = await provider.generate({
      model: input.model,
      temperature: 0,
      maxTokens: 32,
      messages: [{ role: "user", content: TEST_PROMPT }],
      timeoutMs: PROVIDER_TEST_TIMEOUT_MS,
    });
    verdict = {
      ok: true,
      provider: kind,
      model: result.model,
      latencyMs: result.latencyMs,
      sample: result.text.trim().slice(0, SAMPLE_LENGTH),
      message: `Connected: ${result.model} answered in ${result.latencyMs} ms.`,
    };
  } catch (error) {
    if (!(error instanceof LlmError)) {
      ctx.log.error({ err: error, provider: kind }, "provider test failed unexpectedly");
      verdict = failure(kind, "provider_unavailable", `The test could not be run against ${LABELS[kind]}.`, null);
    } else if (outboundRefusalOf(error)) {
      verdict = failure(kind, "url_not_allowed", outboundRefusalOf(error)!.message, null);
    } else {
      verdict = failure(kind, error.code, sentence(error, kind, config.baseUrl, input.model), reasonOf(error));
    }
  }

  const testedStored = stored && !input.apiKey && !otherBaseUrl;
  if (testedStored) {
    await ctx.db
      .update(providerCredentials)
      .set({
        lastTestStatus: verdict.ok ? "ok" : verdict.code,
        lastTestError: verdict.ok ? null : verdict.message,
        lastTestedAt: new Date(),
      })
      .where(eq(providerCredentials.id, stored.id));
  }
  return verdict;
}

function failure(
  provider: ProviderKind,
  code: ProviderTestErrorCode,
  message: string,
  detail: string | null,
): TestProviderResult {
  const retryable = code === "provider_rate_limited" || code === "provider_timeout" || code === "provider_unavailable";
  return { ok: false, provider, code, message, detail, retryable };
}

/**
 * The technical half of a failed verdict: the HTTP status or the network error's code. Not the
 * provider's message: a server at a typed-in base URL could put anything there, even the headers it
 * was sent.
 */
function reasonOf(error: LlmError): string | null {
  if (error.status) return `HTTP ${error.status}`;
  for (let cause = error.cause, depth = 0; cause && depth < 4; depth++) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (typeof code === "string" && /^[A-Z_]+$/.test(code)) return code;
    cause = (cause as { cause?: unknown }).cause;
  }
  return error.code === "provider_timeout" ? "timeout" : null;
}

/** What a person should read for each normalised error, and what to do about it. */
function sentence(error: LlmError, kind: ProviderKind, baseUrl: string | undefined, model: string): string {
  const name = LABELS[kind];
  switch (error.code) {
    case "provider_auth_failed":
      return `${upper(name)} rejected the API key. Check that it is complete, active and allowed to use ${model}.`;
    case "provider_quota_exhausted":
      return `The ${name} account has no quota or credit left. Add billing or credit, or use another key.`;
    case "provider_rate_limited":
      return `${upper(name)} is rate-limiting this key right now. Wait a moment and test again.`;
    case "provider_timeout":
      return `${upper(name)} did not answer within ${PROVIDER_TEST_TIMEOUT_MS / 1000} seconds. Check the base URL and try again.`;
    case "provider_unavailable":
      // Status 0: no HTTP answer at all (refused connection, unknown host, TLS failure).
      if (error.status === 0 && baseUrl) {
        return `Could not reach ${name} at ${baseUrl}. Check the base URL and that the server is running.`;
      }
      return `${upper(name)} is not available right now (it answered with an error). Try again in a moment.`;
    case "provider_bad_request":
      return `${upper(name)} refused the request — most often the model "${model}" does not exist or this key may not use it. Check the model name.`;
    case "content_filtered":
      return `${upper(name)} answered, but its content filter withheld the test reply. The connection works.`;
  }
}

const upper = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
