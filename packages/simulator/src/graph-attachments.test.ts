/**
 * Files sent with the Send API over real sockets: `multipart/form-data` with the bytes in `filedata`
 * (each other field JSON-encoded, the token in the query, as Tandem's Graph client sends them), the
 * rules Meta applies to them, and the served copy the outbox points at.
 */
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { GraphCall } from "./graph/app.ts";
import { SAMPLE_PNG } from "./line/media.ts";
import { createSimulator, DEMO_PAGE, DEMO_USERS } from "./simulator.ts";

const simulator = createSimulator({ basePath: "/_simulator", seedDemo: true });
const PSID = DEMO_USERS[0]?.psid ?? "";
let server: ReturnType<typeof serve>;
let origin = "";

beforeAll(async () => {
  await new Promise<void>((resolve) => {
    server = serve({ fetch: simulator.app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
      origin = `http://127.0.0.1:${info.port}`;
      resolve();
    });
  });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => simulator.graph.reset());

const messagesUrl = () =>
  `${origin}/_simulator/graph/v25.0/${DEMO_PAGE.id}/messages?access_token=${DEMO_PAGE.accessToken}`;

/** A Send API call with a file, built as `createGraphClient().sendMessageWithFile` builds it. */
async function sendFile(
  message: Record<string, unknown>,
  file?: { bytes: Uint8Array; mime: string; name: string },
): Promise<{ status: number; json: Record<string, unknown> }> {
  const form = new FormData();
  form.set("recipient", JSON.stringify({ id: PSID }));
  form.set("messaging_type", "RESPONSE");
  form.set("message", JSON.stringify(message));
  if (file) form.set("filedata", new Blob([new Uint8Array(file.bytes)], { type: file.mime }), file.name);
  const res = await fetch(messagesUrl(), { method: "POST", body: form });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** The attachment URL of the `index`th message in the outbox. */
const sentUrl = (index: number) =>
  String((simulator.graph.state.outbox[index]?.message?.attachment as { payload?: { url?: string } })?.payload?.url);

const png = { bytes: SAMPLE_PNG, mime: "image/png", name: "photo.png" };

describe("Send API with filedata", () => {
  it("keeps the uploaded image and puts the URL that serves its bytes into the outbox", async () => {
    const sent = await sendFile({ attachment: { type: "image", payload: {} }, metadata: "tandem:msg_1" }, png);

    expect(sent).toEqual({ status: 200, json: { recipient_id: PSID, message_id: "m_sim_1" } });
    const record = simulator.graph.state.outbox[0];
    const attachment = record?.message?.attachment as { type: string; payload: { url: string } };
    expect(attachment.type).toBe("image");
    expect(attachment.payload.url).toMatch(new RegExp(`^${origin}/_simulator/graph/_attachments/[\\w-]+$`));
    expect(record?.message?.metadata).toBe("tandem:msg_1");
    expect(record?.upload).toEqual(
      expect.objectContaining({ name: "photo.png", contentType: "image/png", size: SAMPLE_PNG.byteLength }),
    );

    const served = await fetch(attachment.payload.url);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
    expect(Buffer.from(await served.arrayBuffer()).equals(SAMPLE_PNG)).toBe(true);
  });

  it("records the fields and a summary of the file, never its bytes or the token", async () => {
    await sendFile({ attachment: { type: "file", payload: {} } }, { ...png, mime: "application/pdf", name: "a.pdf" });

    const calls = (await (await fetch(`${origin}/_simulator/_control/graph/calls`)).json()) as { data: GraphCall[] };
    const call = calls.data.at(-1);
    expect(call?.body).toEqual({
      recipient: JSON.stringify({ id: PSID }),
      messaging_type: "RESPONSE",
      message: JSON.stringify({ attachment: { type: "file", payload: {} } }),
      filedata: { filename: "a.pdf", contentType: "application/pdf", size: SAMPLE_PNG.byteLength },
    });
    expect(call?.query).toEqual({});
    expect(call?.auth.pageId).toBe(DEMO_PAGE.id);
  });

  it("refuses a file over 25 MB with an upload failure, and keeps nothing", async () => {
    const big = { bytes: new Uint8Array(25 * 1024 * 1024 + 1), mime: "video/mp4", name: "big.mp4" };
    const sent = await sendFile({ attachment: { type: "video", payload: {} } }, big);

    expect(sent.status).toBe(400);
    expect(sent.json).toMatchObject({
      error: { code: 100, error_subcode: 2018047, message: "(#100) Upload attachment failure." },
    });
    expect(simulator.graph.state.outbox).toEqual([]);
    expect(simulator.graph.state.attachments.size).toBe(0);

    const atLimit = await sendFile(
      { attachment: { type: "video", payload: {} } },
      { ...big, bytes: big.bytes.slice(1) },
    );
    expect(atLimit.status).toBe(200);

    // A body far over the limit is refused before it is read.
    const huge = { ...big, bytes: new Uint8Array(40 * 1024 * 1024) };
    const refused = await sendFile({ attachment: { type: "video", payload: {} } }, huge);
    expect(refused).toMatchObject({ status: 400, json: { error: { code: 100, error_subcode: 2018047 } } });
    expect(simulator.graph.state.outbox).toHaveLength(1);
  });

  it("refuses filedata without an attachment, beside a payload URL, or of another kind than the attachment", async () => {
    const withoutAttachment = await sendFile({ text: "hello" }, png);
    const withUrl = await sendFile({ attachment: { type: "image", payload: { url: "https://cdn.test/a.png" } } }, png);
    const asTemplate = await sendFile({ attachment: { type: "template", payload: { template_type: "button" } } }, png);
    const wrongKind = await sendFile({ attachment: { type: "audio", payload: {} } }, png);

    for (const refused of [withoutAttachment, withUrl, asTemplate]) {
      expect(refused).toMatchObject({ status: 400, json: { error: { code: 100, type: "OAuthException" } } });
    }
    expect(wrongKind).toMatchObject({ status: 400, json: { error: { code: 100, error_subcode: 2018047 } } });
    expect(simulator.graph.state.outbox).toEqual([]);
  });

  it("refuses a file attachment with neither a URL, an attachment_id nor filedata", async () => {
    const sent = await sendFile({ attachment: { type: "image", payload: {} } });

    expect(sent).toMatchObject({ status: 400, json: { error: { code: 100, type: "OAuthException" } } });
    expect(sent.json).toMatchObject({ error: { message: expect.stringContaining("filedata") } });
    expect(simulator.graph.state.outbox).toEqual([]);
  });

  it("answers a reusable upload with an attachment_id that later sends the same file", async () => {
    const first = await sendFile({ attachment: { type: "image", payload: { is_reusable: true } } }, png);
    expect(first).toMatchObject({ status: 200, json: { recipient_id: PSID, message_id: "m_sim_1" } });
    const attachmentId = first.json.attachment_id;
    expect(attachmentId).toEqual(expect.stringMatching(/^\d+$/));

    const again = await sendFile({ attachment: { type: "image", payload: { attachment_id: attachmentId } } });
    expect(again).toEqual({ status: 200, json: { recipient_id: PSID, message_id: "m_sim_2" } });
    expect(sentUrl(1)).toBe(sentUrl(0));

    const unknown = await sendFile({ attachment: { type: "image", payload: { attachment_id: "404" } } });
    expect(unknown).toMatchObject({ status: 400, json: { error: { code: 100 } } });
  });

  it("still sends a file by URL as JSON, with an attachment_id when it is reusable", async () => {
    const res = await fetch(messagesUrl(), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        recipient: { id: PSID },
        messaging_type: "RESPONSE",
        message: { attachment: { type: "image", payload: { url: "https://cdn.test/a.png", is_reusable: true } } },
      }),
    });

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      recipient_id: PSID,
      message_id: "m_sim_1",
      attachment_id: expect.stringMatching(/^\d+$/),
    });
    expect(simulator.graph.state.outbox[0]?.message?.attachment).toEqual({
      type: "image",
      payload: { url: "https://cdn.test/a.png", is_reusable: true },
    });
  });

  it("answers 404 for a file it does not keep, and forgets uploads on reset", async () => {
    await sendFile({ attachment: { type: "image", payload: {} } }, png);
    const url = sentUrl(0);
    expect((await fetch(url)).status).toBe(200);

    simulator.graph.reset();
    expect((await fetch(url)).status).toBe(404);
  });
});

describe("kept uploads", () => {
  it("keeps the newest files within the count and byte limits, and reads a broken form as a Graph error", async () => {
    const state = createSimulator({ graph: { keptAttachments: { files: 3, bytes: 100 } } }).graph.state;
    const keep = (size: number) =>
      state.keepAttachment({ bytes: new Uint8Array(size), contentType: "image/png", name: "a.png", time: 0 }).id;

    const ids = [keep(10), keep(10), keep(10), keep(10)];
    expect([...state.attachments.keys()]).toEqual(ids.slice(1));
    const big = keep(95);
    expect([...state.attachments.keys()]).toEqual([big]);

    const res = await fetch(messagesUrl(), {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=nope" },
      body: "not a form",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 100, type: "OAuthException" } });
  });
});
