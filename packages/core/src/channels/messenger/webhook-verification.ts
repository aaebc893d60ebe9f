import { randomBytes, timingSafeEqual } from "node:crypto";
import type { WebhookVerificationTest } from "@tandem/contracts";
import { type Db, webhookVerifications } from "@tandem/db";
import { eq, sql } from "drizzle-orm";
import type { Config } from "../../config.ts";
import { actorRole, type Ctx } from "../../context.ts";
import { DomainError } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
import { assertCan } from "../../policy.ts";

/**
 * Meta's webhook verification handshake, both ways: answering it (`GET /api/webhooks/messenger` with
 * `hub.mode=subscribe`, `hub.verify_token`, `hub.challenge`), remembering how the last one went for
 * the channels page, and playing it against this server's public callback URL from the dashboard —
 * the same request Meta sends when an admin clicks "Verify and save" in the App Dashboard.
 */

export type VerifyOutcome = { ok: true; challenge: string } | { ok: false; reason: string };

/** The answer to Meta's GET: the challenge when the mode is `subscribe` and the token matches. */
export function answerVerification(
  verifyToken: string | undefined,
  query: { mode?: string | undefined; token?: string | undefined; challenge?: string | undefined },
): VerifyOutcome {
  if (!verifyToken) return { ok: false, reason: "WEBHOOK_VERIFY_TOKEN is not set on this server" };
  if (query.mode !== "subscribe") return { ok: false, reason: `hub.mode was "${query.mode ?? ""}", not "subscribe"` };
  if (!sameSecret(query.token ?? "", verifyToken)) {
    return { ok: false, reason: "the verify token does not match WEBHOOK_VERIFY_TOKEN" };
  }
  return { ok: true, challenge: query.challenge ?? "" };
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Anyone can call the GET: a flood of them writes at most one row per kind of outcome a second. */
const RECORD_EVERY_MS = 1_000;
const lastRecorded = new Map<string, number>();

/**
 * Remembers the outcome (app-level, one row per platform); never fails the handshake itself. A pass
 * (which needs the verify token) sets `last_verified_at`, the state the dashboard shows; a refusal
 * only records the latest failed attempt and its reason beside it, so anonymous calls cannot make a
 * verified webhook look broken.
 */
export async function recordVerification(db: Db, outcome: VerifyOutcome, log: Logger): Promise<void> {
  const kind = outcome.ok ? "ok" : "failed";
  const now = Date.now();
  if (now - (lastRecorded.get(kind) ?? 0) < RECORD_EVERY_MS) return;
  lastRecorded.set(kind, now);
  const values = outcome.ok
    ? { lastVerifiedAt: new Date(now) }
    : { lastFailureAt: new Date(now), lastFailureReason: outcome.reason };
  try {
    await db
      .insert(webhookVerifications)
      .values({ platform: "messenger", ...values })
      .onConflictDoUpdate({ target: webhookVerifications.platform, set: { ...values, updatedAt: sql`now()` } });
  } catch (error) {
    log.warn({ err: error }, "could not record the webhook verification");
  }
}

export async function lastVerification(db: Db) {
  const [row] = await db.select().from(webhookVerifications).where(eq(webhookVerifications.platform, "messenger"));
  return {
    lastVerifiedAt: row?.lastVerifiedAt?.toISOString() ?? null,
    lastFailedAttemptAt: row?.lastFailureAt?.toISOString() ?? null,
    lastFailedAttemptReason: row?.lastFailureReason ?? null,
  };
}

const TEST_TIMEOUT_MS = 10_000;

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host not found (DNS)",
  ECONNRESET: "connection reset",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  UND_ERR_SOCKET: "the connection closed",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
  CERT_HAS_EXPIRED: "its TLS certificate has expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "its TLS certificate is self-signed",
};

function unreachable(error: unknown): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `no answer within ${TEST_TIMEOUT_MS / 1000} s`;
  }
  const code = (error as { cause?: { code?: string } }).cause?.code;
  if (code) return `${NETWORK_ERRORS[code] ?? "network error"} (${code})`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * "Test verification": sends Meta's GET to the public callback URL (`APP_URL` + the webhook path,
 * through a tunnel when there is one) with the server's verify token and a fresh challenge, and says
 * whether the challenge came back. The GET handler records the outcome like one of Meta's.
 */
export async function testWebhookVerification(
  ctx: Ctx,
  deps: { config: Pick<Config, "appUrl" | "facebook">; fetch?: typeof fetch },
): Promise<WebhookVerificationTest> {
  assertCan(actorRole(ctx.actor), "channels.manage");
  const verifyToken = deps.config.facebook.verifyToken;
  const callbackUrl = `${deps.config.appUrl}/api/webhooks/messenger`;
  if (!verifyToken) {
    throw new DomainError(
      "webhook_not_configured",
      "WEBHOOK_VERIFY_TOKEN is not set on this server: set it, restart, and enter the same value in the Meta App Dashboard",
    );
  }
  const challenge = randomBytes(12).toString("hex");
  const url = new URL(callbackUrl);
  url.searchParams.set("hub.mode", "subscribe");
  url.searchParams.set("hub.verify_token", verifyToken);
  url.searchParams.set("hub.challenge", challenge);
  const checkedAt = new Date().toISOString();
  const verdict = (ok: boolean, status: number | null, message: string): WebhookVerificationTest => ({
    ok,
    status,
    message,
    callbackUrl,
    checkedAt,
  });
  let response: Response;
  try {
    response = await (deps.fetch ?? fetch)(url, { signal: AbortSignal.timeout(TEST_TIMEOUT_MS), redirect: "manual" });
  } catch (error) {
    return verdict(
      false,
      null,
      `Could not reach ${callbackUrl}: ${unreachable(error)}. Meta must reach this URL from the internet: set APP_URL to the server's public HTTPS address, or to a tunnel's while testing locally.`,
    );
  }
  const body = (await response.text().catch(() => "")).trim();
  if (response.status === 200 && body === challenge) {
    return verdict(true, 200, `${callbackUrl} answered the challenge: Meta's verification will pass.`);
  }
  if (response.status === 403) {
    return verdict(
      false,
      403,
      `${callbackUrl} refused this server's verify token (403): the URL is served by another server or configuration.`,
    );
  }
  if (response.status === 200) {
    return verdict(
      false,
      200,
      `${callbackUrl} answered, but not with the challenge: is APP_URL pointing at this Tandem server?`,
    );
  }
  return verdict(false, response.status, `${callbackUrl} answered HTTP ${response.status} instead of the challenge.`);
}
