/**
 * Control API of the fake LLMs, for tests and the demo in another process (mounted at
 * `{basePath}/_control/llm`):
 *
 *   GET    /calls?provider=&since=   recorded calls (keys never included), after seq `since`
 *   POST   /replies                  {reply, match?, provider?, times?}: without `match`, the next
 *                                    call's reply; with it, the reply when the last user message contains it
 *   DELETE /replies
 *   POST   /faults                   {kind, provider?, key?, times?: n | "always", retryAfterMs?, delayMs?}
 *   DELETE /faults
 *   POST   /invalid-keys             {key}: calls with this key get the provider's invalid-key error
 *   DELETE /invalid-keys
 *   POST   /reset                    all of the above cleared
 */
import { Hono } from "hono";
import { z } from "zod";
import { LLM_FAULT_KINDS, LLM_SIM_PROVIDERS, type LlmSimState } from "./state.ts";

const Provider = z.enum(LLM_SIM_PROVIDERS);

const ReplyBody = z.object({
  reply: z.string(),
  match: z.string().min(1).optional(),
  provider: Provider.optional(),
  times: z.number().int().positive().optional(),
});

const FaultBody = z.object({
  kind: z.enum(LLM_FAULT_KINDS),
  provider: Provider.optional(),
  key: z.string().min(1).optional(),
  times: z.union([z.number().int().positive(), z.literal("always")]).optional(),
  retryAfterMs: z.number().int().min(0).max(600_000).optional(),
  delayMs: z.number().int().min(0).max(600_000).optional(),
});

const KeyBody = z.object({ key: z.string().min(1) });

export function createLlmControl(state: LlmSimState): Hono {
  const control = new Hono();
  const invalid = (error: z.ZodError) => ({
    error: { code: "invalid_input", message: "Invalid simulator control input", details: error.issues },
  });

  control.get("/calls", (c) => {
    const since = Number(c.req.query("since") ?? 0);
    const provider = c.req.query("provider");
    return c.json({
      data: state.calls.filter((call) => call.seq > since && (!provider || call.provider === provider)),
    });
  });
  control.post("/replies", async (c) => {
    const parsed = ReplyBody.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json(invalid(parsed.error), 400);
    state.addReply(parsed.data);
    return c.body(null, 204);
  });
  control.delete("/replies", (c) => {
    state.clearReplies();
    return c.body(null, 204);
  });
  control.post("/faults", async (c) => {
    const parsed = FaultBody.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json(invalid(parsed.error), 400);
    const { times, ...fault } = parsed.data;
    state.addFault({ ...fault, times: times === "always" ? Number.POSITIVE_INFINITY : times });
    return c.body(null, 204);
  });
  control.delete("/faults", (c) => {
    state.clearFaults();
    return c.body(null, 204);
  });
  control.post("/invalid-keys", async (c) => {
    const parsed = KeyBody.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json(invalid(parsed.error), 400);
    state.invalidKeys.add(parsed.data.key);
    return c.body(null, 204);
  });
  control.delete("/invalid-keys", (c) => {
    state.invalidKeys.clear();
    return c.body(null, 204);
  });
  control.post("/reset", (c) => {
    state.reset();
    return c.body(null, 204);
  });
  return control;
}
