import { inboundEvents } from "@tandem/db";
import { messengerWebhook, serializeLikeMeta, signMessengerBody, textEvent } from "@tandem/simulator";
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestRuntime } from "../../../../../tests/support/runtime.ts";
import { IngestPacer, ingestIdle, OVERDUE_RELEASE_GAP_MS } from "../../ingest-pacing.ts";
import { silentLogger } from "../../logger.ts";
import type { Runtime } from "../../runtime.ts";
import { receiveMessengerWebhook } from "./receive-webhook.ts";

const APP_SECRET = "pacing-test-app-secret";
// No channel is connected to this Page: every entry is stored as `ignored`, which is all a burst needs.
const PAGE_ID = "990000000000001";

let runtime: Runtime;
beforeAll(async () => {
  runtime = await createTestRuntime({ FB_APP_SECRET: APP_SECRET });
});
afterAll(() => runtime.close());

let sent = 0;
function webhook() {
  const body = serializeLikeMeta(
    messengerWebhook([textEvent({ pageId: PAGE_ID, psid: "7300000000000001", text: `burst ${++sent}` })]),
  );
  return receiveMessengerWebhook(
    { db: runtime.database.db, config: runtime.config, log: silentLogger, queue: null, limiter: runtime.limiter },
    { rawBody: Buffer.from(body), signature: signMessengerBody(APP_SECRET, body) },
  );
}

/** Webhooks 32 at a time, back to back, until `stop()`: a burst far above the 250/s threshold. */
function startBurst() {
  let running = true;
  const done = (async () => {
    while (running) await Promise.all(Array.from({ length: 32 }, webhook));
  })();
  return {
    get running() {
      return running;
    },
    stop: () => {
      running = false;
      return done;
    },
  };
}

describe("background work behind webhook acknowledgements (ingestIdle)", () => {
  it("starts at once on a quiet server", async () => {
    let started = false;
    await ingestIdle(runtime.database.db, 60_000).then(() => {
      started = true;
    });
    expect(started).toBe(true);
  });

  it("during a long burst, lets overdue tasks start and none starves", async () => {
    const db = runtime.database.db;
    const before = sent;
    const burst = startBurst();
    // Let the burst establish itself, then four tasks (a job queue's four slots) ask to start together.
    while (sent - before < 200) await new Promise((r) => setTimeout(r, 5));
    const released: boolean[] = [];
    const tasks = Array.from({ length: 4 }, () => ingestIdle(db, 100).then(() => released.push(burst.running)));
    await Promise.race([Promise.all(tasks), new Promise((r) => setTimeout(r, 10_000))]);
    await burst.stop();

    // Every task started while webhooks were still pouring in: a sustained burst never starves them
    // (how far apart they start is the pacer's, proven on its own clock below).
    expect(released).toEqual([true, true, true, true]);
    // Every webhook of the burst was stored.
    const [stored] = await db.select({ n: count() }).from(inboundEvents).where(eq(inboundEvents.externalId, PAGE_ID));
    expect(Number(stored?.n)).toBe(sent);
  });

  it("releases overdue tasks one at a time during a burst: one per release point, never two in one gap", async () => {
    // The pacer on a clock of the test's own: the property holds however slow the machine is.
    let now = 1_000_000;
    const pacer = new IngestPacer({ now: () => now });
    let writing = false;
    pacer.attachWriter(() => writing);
    let writes = 0;
    // A burst: every 10 ms of the clock, 30 webhooks arrive and are written in one flush.
    const tick = async () => {
      now += 10;
      for (let i = 0; i < 30; i++) pacer.noteRequest();
      writing = true;
      await Promise.resolve();
      writing = false;
      writes++;
      pacer.writeSettled();
      for (let i = 0; i < 5; i++) await Promise.resolve();
    };
    for (let i = 0; i < 10; i++) await tick();
    const askedAt = now;
    const released: { task: number; at: number; write: number }[] = [];
    const tasks = Array.from({ length: 4 }, (_, task) =>
      pacer.idle(100).then(() => released.push({ task, at: now, write: writes })),
    );
    while (now < askedAt + 2_000) await tick();
    await Promise.all(tasks);

    expect(released.map((r) => r.task).sort()).toEqual([0, 1, 2, 3]);
    // None before its deadline; each after a write of its own, one gap apart on the pacer's clock.
    expect(released[0]!.at).toBeGreaterThanOrEqual(askedAt + 100);
    for (let i = 1; i < released.length; i++) {
      expect(released[i]!.write).toBeGreaterThan(released[i - 1]!.write);
      expect(released[i]!.at - released[i - 1]!.at).toBeGreaterThanOrEqual(OVERDUE_RELEASE_GAP_MS);
    }
  });

  it("lets waiting tasks start as soon as a burst ends, well before their deadline", async () => {
    const before = sent;
    const burst = startBurst();
    while (sent - before < 200) await new Promise((r) => setTimeout(r, 5));
    const waiting = Array.from({ length: 3 }, () => ingestIdle(runtime.database.db, 60_000).then(() => "started"));
    await new Promise((r) => setTimeout(r, 50));
    await burst.stop();
    const outcome = await Promise.race([
      Promise.all(waiting),
      new Promise((r) => setTimeout(() => r("still waiting"), 5_000)),
    ]);
    expect(outcome).toEqual(["started", "started", "started"]);
  });
});

describe("group commit", () => {
  const PAGE = "990000000000002";
  const receive = (body: string) =>
    receiveMessengerWebhook(
      { db: runtime.database.db, config: runtime.config, log: silentLogger, queue: null, limiter: runtime.limiter },
      { rawBody: Buffer.from(body), signature: signMessengerBody(APP_SECRET, body) },
    );
  const storedTexts = async () =>
    (await runtime.database.db.select().from(inboundEvents).where(eq(inboundEvents.externalId, PAGE))).map(
      (e) => (e.payload as { messaging: { message: { text: string } }[] }).messaging[0]!.message.text,
    );

  it("fails only the request the store cannot take, never the others of its batch", async () => {
    const bodies = Array.from({ length: 30 }, (_, i) =>
      serializeLikeMeta(
        messengerWebhook([textEvent({ pageId: PAGE, psid: "7300000000000002", text: `batched ${i}` })]),
      ),
    );
    // Valid JSON, correctly signed, nested deeper than the store can serialise.
    const depth = 20_000;
    bodies[11] = bodies[11]!.replace('"messaging":', `"nested":${"[".repeat(depth)}${"]".repeat(depth)},"messaging":`);
    // Called in one tick: all thirty wait for the same write.
    const outcomes = await Promise.allSettled(bodies.map(receive));
    expect(outcomes.map((o) => o.status)).toEqual(bodies.map((_, i) => (i === 11 ? "rejected" : "fulfilled")));
    const texts = await storedTexts();
    expect(texts).toHaveLength(29);
    expect(texts).not.toContain("batched 11");
  });
});
