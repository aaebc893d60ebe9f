import { describe, expect, it } from "vitest";
import { createSseParser, readSse, type SseEvent } from "./sse.ts";

function parseAll(chunks: string[]): SseEvent[] {
  const events: SseEvent[] = [];
  const push = createSseParser((e) => events.push(e));
  for (const chunk of chunks) push(chunk);
  return events;
}

describe("server-sent events", () => {
  const stream =
    ': ping\n\nevent: message.delta\ndata: {"text":"Hel"}\n\nevent: message.delta\ndata: {"text":"lo"}\n\nevent: message.completed\nid: msg_2\ndata: {"a":1}\ndata: {"b":2}\n\n';

  it("reads named events, skips comments, joins data lines, keeps the id", () => {
    expect(parseAll([stream])).toEqual([
      { event: "message.delta", data: '{"text":"Hel"}', id: null },
      { event: "message.delta", data: '{"text":"lo"}', id: null },
      { event: "message.completed", data: '{"a":1}\n{"b":2}', id: "msg_2" },
    ]);
  });

  it("gives the same events however the bytes are split, with \\n, \\r\\n or \\r line ends", () => {
    const whole = parseAll([stream]);
    for (const text of [stream, stream.replaceAll("\n", "\r\n"), stream.replaceAll("\n", "\r")]) {
      for (const size of [1, 2, 3, 7, 50]) {
        const chunks = [];
        for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
        expect(parseAll(chunks)).toEqual(whole);
      }
    }
  });

  it("defaults the event name to message and waits for the blank line", () => {
    expect(parseAll(["data: x\n"])).toEqual([]);
    expect(parseAll(["data: x\n", "\n"])).toEqual([{ event: "message", data: "x", id: null }]);
  });

  it("reads a streamed Response body, UTF-8 split across chunks included", async () => {
    const bytes = new TextEncoder().encode('event: message.delta\ndata: {"text":"สวัสดี こんにちは"}\n\n');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 5) controller.enqueue(bytes.slice(i, i + 5));
        controller.close();
      },
    });
    const events: SseEvent[] = [];
    await readSse(new Response(body), (e) => events.push(e));
    expect(JSON.parse(events[0]!.data)).toEqual({ text: "สวัสดี こんにちは" });
  });
});
