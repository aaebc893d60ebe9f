/**
 * Server-sent events over fetch (EventSource can neither POST nor send headers, and the visitor token
 * never goes in a URL): a line parser per the WHATWG event-stream format, and a reader for a
 * `Response` body.
 */

export interface SseEvent {
  event: string;
  data: string;
  id: string | null;
}

/** Feeds text chunks in any split; calls `onEvent` for each complete event. Comments (`: ping`) are skipped. */
export function createSseParser(onEvent: (event: SseEvent) => void): (chunk: string) => void {
  let buffer = "";
  let event = "";
  let data: string[] = [];
  let id: string | null = null;
  let sawCr = false;

  const line = (text: string) => {
    if (text === "") {
      if (data.length) onEvent({ event: event || "message", data: data.join("\n"), id });
      event = "";
      data = [];
      return;
    }
    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
    else if (field === "id" && !value.includes("\0")) id = value;
  };

  return (chunk: string) => {
    buffer += chunk;
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const c = buffer[i];
      if (c === "\n" && sawCr) {
        // The \n of a \r\n pair: the line ended at the \r.
        sawCr = false;
        start = i + 1;
        continue;
      }
      sawCr = false;
      if (c === "\r" || c === "\n") {
        line(buffer.slice(start, i));
        sawCr = c === "\r";
        start = i + 1;
      }
    }
    buffer = buffer.slice(start);
  };
}

/** Reads a streamed response to its end, event by event. */
export async function readSse(response: Response, onEvent: (event: SseEvent) => void): Promise<void> {
  if (!response.body) throw new Error("The response has no body.");
  const push = createSseParser(onEvent);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    push(decoder.decode(value, { stream: true }));
  }
  push(decoder.decode());
}
