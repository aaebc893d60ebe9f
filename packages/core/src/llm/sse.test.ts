import { describe, expect, it } from "vitest";
import { readSse, type SseEvent, SseParser } from "./sse.ts";

function parseAll(chunks: string[]): SseEvent[] {
  const parser = new SseParser();
  return [...chunks.flatMap((chunk) => parser.push(chunk)), ...parser.end()];
}

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const event of readSse(stream)) events.push(event);
  return events;
}

const SAMPLE =
  ': OPENROUTER PROCESSING\r\n\r\ndata: {"a":1}\r\n\r\nevent: update\r\nid: 7\r\ndata: line one\r\ndata: line two\r\n\r\n' +
  "data:no-space\r\r" +
  "data: [DONE]\n\n";

const EXPECTED: SseEvent[] = [
  { data: '{"a":1}' },
  { event: "update", id: "7", data: "line one\nline two" },
  { data: "no-space", id: "7" },
  { data: "[DONE]", id: "7" },
];

describe("SseParser", () => {
  it("reads LF, CRLF and CR line ends, multi-line data, event and id fields, and skips comments", () => {
    expect(parseAll([SAMPLE])).toEqual(EXPECTED);
  });

  it("gives the same events whatever the chunk boundaries, including between \\r and \\n", () => {
    for (let i = 0; i <= SAMPLE.length; i++) {
      for (const j of [i, i + 1, i + 3]) {
        const chunks = [SAMPLE.slice(0, i), SAMPLE.slice(i, j), SAMPLE.slice(j)];
        expect(parseAll(chunks), `split at ${i}/${j}`).toEqual(EXPECTED);
      }
    }
    expect(parseAll([...SAMPLE])).toEqual(EXPECTED);
  });

  it("ignores events without data, keeps an empty data line, and strips only one leading space", () => {
    const events = parseAll(["event: ping\n\n", "data:\n\n", "data:  two spaces\n\n", "data\n\n", "retry: 10\n\n"]);
    expect(events).toEqual([{ data: "" }, { data: " two spaces" }, { data: "" }]);
  });

  it("drops an unterminated last event, as the spec says", () => {
    expect(parseAll(['data: {"complete":true}\n\ndata: {"cut":'])).toEqual([{ data: '{"complete":true}' }]);
  });
});

describe("readSse", () => {
  it("decodes UTF-8 split across byte chunks", async () => {
    const bytes = new TextEncoder().encode('data: {"text":"Grüße 👋 สวัสดี"}\n\n');
    const chunks = [...bytes].map((byte) => Uint8Array.of(byte));
    expect(await collect(streamOf(chunks))).toEqual([{ data: '{"text":"Grüße 👋 สวัสดี"}' }]);
  });

  it("cancels the body when the consumer stops early", async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode("data: x\n\n"));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const event of readSse(stream)) {
      expect(event.data).toBe("x");
      break;
    }
    expect(cancelled).toBe(true);
  });
});
