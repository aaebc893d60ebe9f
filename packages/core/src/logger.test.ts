import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { REDACT_PATHS } from "./logger.ts";

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
