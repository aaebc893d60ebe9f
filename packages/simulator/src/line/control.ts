/**
 * Control API of the fake LINE platform, for tests and the demo in another process (mounted at
 * `{basePath}/_control/line`):
 *
 *   GET    /calls?since=              recorded API calls after seq `since` (tokens never included)
 *   GET    /outbox?chatId=&since=     what the bots sent (reply or push), optionally for one chat,
 *                                     after outbox position `since`
 *   GET    /channels                  channels (secrets and tokens included: this is the platform's view)
 *   POST   /channels                  {channelId, channelSecret, channelAccessToken, userId, basicId, displayName, …}
 *   POST   /channels/:id/revoke-token {channelAccessToken?} → {channelAccessToken}: the old token answers 401
 *   PUT    /channels/:id/quota        {monthlyQuota: n | null, usage?}
 *   POST   /users                     {userId, displayName, pictureUrl?, statusMessage?, language?}
 *   POST   /groups                    {groupId, groupName, pictureUrl?, memberIds}
 *   POST   /rooms                     {roomId, memberIds}
 *   PUT    /settings                  {replyTokenTtlMs}
 *   POST   /faults                    {kind, on?, times?: n | "always", channelId?, delayMs?}
 *   DELETE /faults
 *   POST   /reset                     back to the seeded state
 */
import { Hono } from "hono";
import { z } from "zod";
import type { LineSimulator } from "./app.ts";
import { LINE_FAULT_KINDS, LINE_FAULT_TARGETS } from "./state.ts";

const lineId = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}[0-9a-f]{32}$`), `must be ${prefix} + 32 hex`);

const ChannelBody = z.object({
  channelId: z.string().regex(/^\d+$/),
  channelSecret: z.string().min(1),
  channelAccessToken: z.string().min(1),
  userId: lineId("U"),
  basicId: z.string().regex(/^@\w+$/),
  displayName: z.string().min(1),
  pictureUrl: z.string().url().optional(),
  chatMode: z.enum(["chat", "bot"]).optional(),
  markAsReadMode: z.enum(["auto", "manual"]).optional(),
  webhookEndpoint: z.string().url().optional(),
  webhookActive: z.boolean().optional(),
  monthlyQuota: z.number().int().min(0).nullable().optional(),
});
const UserBody = z.object({
  userId: lineId("U"),
  displayName: z.string().min(1),
  pictureUrl: z.string().url().optional(),
  statusMessage: z.string().optional(),
  language: z.string().optional(),
});
const GroupBody = z.object({
  groupId: lineId("C"),
  groupName: z.string().min(1),
  pictureUrl: z.string().url().optional(),
  memberIds: z.array(lineId("U")),
});
const RoomBody = z.object({ roomId: lineId("R"), memberIds: z.array(lineId("U")) });
const RevokeBody = z.object({ channelAccessToken: z.string().min(1).optional() });
const QuotaBody = z.object({
  monthlyQuota: z.number().int().min(0).nullable(),
  usage: z.number().int().min(0).optional(),
});
const SettingsBody = z.object({ replyTokenTtlMs: z.number().int().min(0).max(86_400_000) });
const FaultBody = z.object({
  kind: z.enum(LINE_FAULT_KINDS),
  on: z.enum(LINE_FAULT_TARGETS).optional(),
  times: z.union([z.number().int().positive(), z.literal("always")]).optional(),
  channelId: z.string().min(1).optional(),
  delayMs: z.number().int().min(0).max(600_000).optional(),
});

export function lineControl(line: LineSimulator): Hono {
  const { state } = line;
  const control = new Hono();
  const invalid = (error: z.ZodError) => ({
    error: { code: "invalid_input", message: "Invalid simulator control input", details: error.issues },
  });
  const parse = async <T extends z.ZodType>(schema: T, request: Request) =>
    schema.safeParse(await request.json().catch(() => null)) as z.ZodSafeParseResult<z.infer<T>>;

  control.get("/calls", (c) => {
    const since = Number(c.req.query("since") ?? 0);
    return c.json({ data: line.calls.filter((call) => call.seq > since) });
  });
  control.get("/outbox", (c) => {
    const since = Number(c.req.query("since") ?? 0);
    const chatId = c.req.query("chatId");
    const data = state.outbox
      .map((record, index) => ({ position: index + 1, ...record }))
      .filter((record) => record.position > since && (!chatId || record.chatId === chatId));
    return c.json({ data });
  });
  control.get("/channels", (c) => c.json({ data: [...state.channels.values()] }));
  control.post("/channels", async (c) => {
    const parsed = await parse(ChannelBody, c.req.raw);
    if (!parsed.success) return c.json(invalid(parsed.error), 400);
    return c.json(state.addChannel(parsed.data), 201);
  });
  control.post("/channels/:channelId/revoke-token", async (c) => {
    const parsed = await parse(RevokeBody, c.req.raw);
    if (!parsed.success) return c.json(invalid(parsed.error), 400);
    const token = state.rotateToken(c.req.param("channelId"), parsed.data.channelAccessToken);
    if (!token) return c.json({ error: { code: "not_found", message: "Unknown channel" } }, 404);
    return c.json({ channelAccessToken: token });
  });
  control.put("/channels/:channelId/quota", async (c) => {
    const parsed = await parse(QuotaBody, c.req.raw);
    if (!parsed.success) return c.json(invalid(parsed.error), 400);
    const channel = state.channels.get(c.req.param("channelId"));
    if (!channel) return c.json({ error: { code: "not_found", message: "Unknown channel" } }, 404);
    channel.monthlyQuota = parsed.data.monthlyQuota;
    if (parsed.data.usage !== undefined) channel.usage = parsed.data.usage;
    return c.body(null, 204);
  });
  control.get("/users", (c) => c.json({ data: [...state.users.values()] }));
  control.post("/users", async (c) => {
    const parsed = await parse(UserBody, c.req.raw);
    if (!parsed.success) return c.json(invalid(parsed.error), 400);
    return c.json(state.addUser(parsed.data), 201);
  });
  control.get("/groups", (c) => c.json({ data: [...state.groups.values()] }));
  control.post("/groups", async (c) => {
    const parsed = await parse(GroupBody, c.req.raw);
    if (!parsed.success) return c.json(invalid(parsed.error), 400);
    return c.json(state.addGroup(parsed.data), 201);
  });
  control.post("/rooms", async (c) => {
    const parsed = await parse(RoomBody, c.req.raw);
    if (!parsed.success) return c.json(invalid(parsed.error), 400);
    return c.json(state.addRoom(parsed.data), 201);
  });
  control.put("/settings", async (c) => {
    const parsed = await parse(SettingsBody, c.req.raw);
    if (!parsed.success) return c.json(invalid(parsed.error), 400);
    state.replyTokenTtlMs = parsed.data.replyTokenTtlMs;
    return c.body(null, 204);
  });
  control.post("/faults", async (c) => {
    const parsed = await parse(FaultBody, c.req.raw);
    if (!parsed.success) return c.json(invalid(parsed.error), 400);
    const { times, ...fault } = parsed.data;
    state.addFault({ ...fault, times: times === "always" ? Number.POSITIVE_INFINITY : times });
    return c.body(null, 204);
  });
  control.delete("/faults", (c) => {
    state.faults = [];
    return c.body(null, 204);
  });
  control.post("/reset", (c) => {
    line.reset();
    return c.body(null, 204);
  });
  return control;
}
