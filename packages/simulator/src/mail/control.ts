import { Hono } from "hono";
import { z } from "zod";
import type { Mailbox } from "./mailbox.ts";

const FaultBody = z.object({
  /** `temporary`: 451 (the sender retries); `permanent`: 550 (the sender gives up). */
  kind: z.enum(["temporary", "permanent"]),
  times: z.number().int().positive().max(1000).default(1),
  to: z.string().email().optional(),
});

/**
 * `{basePath}/_control/mail`: the caught messages (newest first), one message, clear; faults the
 * SMTP catcher answers with.
 */
export function mailControl(mailbox: Mailbox): Hono {
  const control = new Hono();
  control.get("/", (c) => {
    const to = c.req.query("to")?.toLowerCase();
    const data = mailbox.list().filter((m) => !to || m.to.some((a) => a.toLowerCase() === to));
    return c.json({ data });
  });
  control.get("/:id", (c) => {
    const message = mailbox.get(c.req.param("id"));
    if (!message) return c.json({ error: { code: "not_found", message: "No such message" } }, 404);
    return c.json(message);
  });
  control.delete("/", (c) => {
    mailbox.clear();
    return c.body(null, 204);
  });
  control.put("/faults", async (c) => {
    const parsed = FaultBody.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) {
      return c.json(
        { error: { code: "invalid_input", message: "Invalid simulator control input", details: parsed.error.issues } },
        400,
      );
    }
    mailbox.fault = {
      kind: parsed.data.kind,
      times: parsed.data.times,
      ...(parsed.data.to ? { to: parsed.data.to } : {}),
    };
    return c.body(null, 204);
  });
  control.delete("/faults", (c) => {
    mailbox.fault = null;
    return c.body(null, 204);
  });
  return control;
}
