/**
 * A chatbot's provider with every chat generation observed the same way, whole or streamed: a span
 * (provider kind, model, token counts; never the prompt or the answer) and the LLM latency histogram
 * and error counter of `/api/metrics` (`tandem_llm_request_duration_seconds`, `tandem_llm_errors_total`).
 * `prepareReply` hands it out, so the reply job, drafts, the public chat API and the playground all
 * count. A stream is measured from the request to its `done` event (or its failure); a stream its
 * reader abandons before the end is not counted.
 */
import { metrics } from "../observability/metrics.ts";
import { recordError, SpanKind, tracer, tracingEnabled, withSpan } from "../observability/tracing.ts";
import { LlmError, type LlmProvider, type LlmRequest, type LlmResult, type LlmStreamEvent } from "./types.ts";

const OBSERVED = Symbol("observed");

export function observedProvider(provider: LlmProvider): LlmProvider {
  if ((provider as { [OBSERVED]?: true })[OBSERVED]) return provider;
  return {
    [OBSERVED]: true,
    kind: provider.kind,
    generate: (request) => generateObserved(provider, request),
    stream: (request) => streamObserved(provider, request),
    embed: (texts, options) => provider.embed(texts, options),
  } as LlmProvider;
}

const spanName = (request: LlmRequest) => `chat ${request.model}`;
const spanOptions = (provider: LlmProvider, request: LlmRequest) => ({
  kind: SpanKind.CLIENT,
  attributes: { "gen_ai.system": provider.kind, "gen_ai.request.model": request.model },
});
const usageAttributes = (result: LlmResult) => ({
  "gen_ai.usage.input_tokens": result.usage.inputTokens,
  "gen_ai.usage.output_tokens": result.usage.outputTokens,
});

/** `failure`: the error of a failed call; absent for a call that answered. */
function observeOutcome(provider: LlmProvider, started: number, failure?: { error: unknown }): void {
  const seconds = (performance.now() - started) / 1000;
  metrics.llmDuration.observe({ provider: provider.kind, outcome: failure ? "error" : "ok" }, seconds);
  if (failure) {
    const code = failure.error instanceof LlmError ? failure.error.code : "unknown";
    metrics.llmErrors.inc({ provider: provider.kind, code });
  }
}

function generateObserved(provider: LlmProvider, request: LlmRequest): Promise<LlmResult> {
  const started = performance.now();
  return withSpan(spanName(request), spanOptions(provider, request), async (span) => {
    try {
      const result = await provider.generate(request);
      observeOutcome(provider, started);
      span.setAttributes(usageAttributes(result));
      return result;
    } catch (error) {
      observeOutcome(provider, started, { error });
      throw error;
    }
  });
}

async function* streamObserved(provider: LlmProvider, request: LlmRequest): AsyncGenerator<LlmStreamEvent> {
  const started = performance.now();
  const span = tracingEnabled() ? tracer.startSpan(spanName(request), spanOptions(provider, request)) : null;
  try {
    for await (const event of provider.stream(request)) {
      if (event.type === "done") {
        observeOutcome(provider, started);
        span?.setAttributes(usageAttributes(event.result));
      }
      yield event;
    }
  } catch (error) {
    observeOutcome(provider, started, { error });
    if (span) recordError(span, error);
    throw error;
  } finally {
    span?.end();
  }
}
