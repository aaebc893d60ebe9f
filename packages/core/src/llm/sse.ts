/**
 * A server-sent events parser (the WHATWG event-stream format) shared by every adapter. It takes
 * text in chunks split anywhere — inside a line, between `\r` and `\n`, inside a UTF-8 sequence —
 * and emits complete events only. Comment lines (`: OPENROUTER PROCESSING`) are dropped, several
 * `data:` lines of one event are joined with `\n`, and an event is complete at a blank line.
 */

export interface SseEvent {
  /** `event:` field; absent for the default `message` type. */
  event?: string;
  data: string;
  id?: string;
}

export class SseParser {
  private buffer = "";
  /** A chunk ended in `\r`: a `\n` at the start of the next chunk belongs to the same line break. */
  private pendingCr = false;
  private data: string[] = [];
  private event: string | undefined;
  private id: string | undefined;

  /** Feeds decoded text and returns the events it completed. */
  push(text: string): SseEvent[] {
    if (text === "") return [];
    let input = text;
    if (this.pendingCr && input.startsWith("\n")) input = input.slice(1);
    this.pendingCr = false;
    this.buffer += input;

    const events: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const cr = this.buffer.indexOf("\r", start);
      const lf = this.buffer.indexOf("\n", start);
      const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
      if (end === -1) break;
      const line = this.buffer.slice(start, end);
      if (this.buffer[end] === "\r") {
        if (end + 1 === this.buffer.length) {
          // Not yet known whether `\n` follows: consume the `\r` now, skip a leading `\n` next time.
          this.pendingCr = true;
          start = end + 1;
        } else {
          start = this.buffer[end + 1] === "\n" ? end + 2 : end + 1;
        }
      } else {
        start = end + 1;
      }
      const event = this.line(line);
      if (event) events.push(event);
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  /** End of stream: an unterminated last event is discarded, as the spec says. */
  end(): SseEvent[] {
    this.buffer = "";
    this.pendingCr = false;
    this.reset();
    return [];
  }

  private line(line: string): SseEvent | undefined {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    else if (field === "id" && !value.includes("\0")) this.id = value;
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    if (this.data.length === 0) {
      this.event = undefined;
      return undefined;
    }
    const event: SseEvent = { data: this.data.join("\n") };
    if (this.event) event.event = this.event;
    if (this.id !== undefined) event.id = this.id;
    this.reset();
    return event;
  }

  private reset(): void {
    this.data = [];
    this.event = undefined;
  }
}

/** Reads a response body as server-sent events. Cancels the body when the consumer stops early. */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        yield* parser.push(decoder.decode());
        yield* parser.end();
        return;
      }
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
