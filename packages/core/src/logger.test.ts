import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createLogger, ProcessOutput, REDACT_PATHS } from "./logger.ts";

describe("logger", () => {
  it("redacts tokens, keys, passwords and cookies", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = pino({ redact: { paths: REDACT_PATHS, censor: "[redacted]" } }, sink);
    log.info(
      {
        password: "hunter2",
        apiKey: "sk-live-abc",
        channel: { pageAccessToken: "EAAB-secret", name: "Shop" },
        req: { headers: { authorization: "Bearer tdm_x", cookie: "tandem_session=abc" } },
      },
      "event",
    );
    const line = lines.join("");
    for (const secret of ["hunter2", "sk-live-abc", "EAAB-secret", "tdm_x", "tandem_session=abc"])
      expect(line).not.toContain(secret);
    expect(line).toContain('"name":"Shop"');
  });
});

/** A destination that takes nothing until `release()`: a reader that stopped reading. */
function stalledStream() {
  const chunks: string[] = [];
  const held: (() => void)[] = [];
  let released = false;
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      if (released) done();
      else held.push(done);
    },
  });
  return {
    stream: stream as unknown as NodeJS.WriteStream,
    text: () => chunks.join(""),
    release() {
      released = true;
      for (const done of held.splice(0)) done();
    },
  };
}

function failingStream(code: string) {
  return new Writable({
    write(_chunk, _enc, done) {
      done(Object.assign(new Error(`write ${code}`), { code }));
    },
  }) as unknown as NodeJS.WriteStream;
}

const line = (i: number) => `${JSON.stringify({ msg: "traffic", i, pad: "x".repeat(1000) })}\n`;

describe("ProcessOutput", () => {
  it("holds at most about 4 MB for a reader that stopped, drops the rest and says so once it reads again", async () => {
    const stdout = stalledStream();
    const output = new ProcessOutput([stdout.stream]);
    for (let i = 0; i < 6000; i++) output.write(line(i));
    expect(stdout.stream.writableLength).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(stdout.stream.writableLength).toBeGreaterThan(3 * 1024 * 1024);

    stdout.release();
    await output.drain(5_000);
    output.write(line(6000));
    await output.drain(5_000);
    const dropped = Number(/"msg":"(\d+) log lines were dropped/.exec(stdout.text())?.[1]);
    const written = stdout.text().match(/"msg":"traffic"/g)?.length ?? 0;
    expect(dropped).toBeGreaterThan(0);
    expect(written + dropped).toBe(6001);
  });

  it("does not wait past its timeout for a reader that stopped", async () => {
    const stdout = stalledStream();
    const output = new ProcessOutput([stdout.stream]);
    output.write(line(0));
    const outcome = await Promise.race([
      output.drain(100).then(() => "returned"),
      new Promise((resolve) => setTimeout(() => resolve("still waiting"), 10_000)),
    ]);
    expect(outcome).toBe("returned");
  });

  it("continues on the next output when one fails (EPIPE), and on none when all have", async () => {
    const stderr = stalledStream();
    stderr.release();
    const output = new ProcessOutput([failingStream("EPIPE"), stderr.stream]);
    output.write(line(1));
    await new Promise((resolve) => setImmediate(resolve));
    output.write(line(2));
    await output.drain(1_000);
    expect(stderr.text()).toContain("writing to stdout failed (EPIPE): the log continues here");
    expect(stderr.text()).toContain('"i":2');

    const silent = new ProcessOutput([failingStream("EPIPE"), failingStream("EPIPE")]);
    silent.write(line(1));
    await new Promise((resolve) => setImmediate(resolve));
    expect(() => silent.write(line(2))).not.toThrow();
  });

  it("is what createLogger writes to", async () => {
    const stdout = stalledStream();
    stdout.release();
    const log = createLogger({ output: new ProcessOutput([stdout.stream]) });
    log.info({ password: "hunter2" }, "hello");
    expect(stdout.text()).toContain('"msg":"hello"');
    expect(stdout.text()).not.toContain("hunter2");
  });
});
