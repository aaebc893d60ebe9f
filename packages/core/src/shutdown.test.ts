import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const shutdownModule = fileURLToPath(new URL("./shutdown.ts", import.meta.url));
const loggerModule = fileURLToPath(new URL("./logger.ts", import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), "tandem-shutdown-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs a process that installs `handleShutdownSignals` with the given `stop` body, sends it SIGTERM
 * once it is ready, and reports how it ended.
 */
async function runWithStop(name: string, stopBody: string, deadlineMs: number) {
  const script = path.join(dir, `${name}.ts`);
  writeFileSync(
    script,
    `import { handleShutdownSignals } from ${JSON.stringify(shutdownModule)};
     import { createLogger } from ${JSON.stringify(loggerModule)};
     const log = createLogger();
     handleShutdownSignals({ log, deadlineMs: ${deadlineMs}, stop: async () => { ${stopBody} } });
     setInterval(() => {}, 1_000);
     log.info("ready");`,
  );
  const child = spawn(process.execPath, ["--import", "tsx", script], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString("utf8");
    if (output.includes('"msg":"ready"') && !child.killed) child.kill("SIGTERM");
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { code, signal, output };
}

describe("handleShutdownSignals", () => {
  it("exits 0 once stop has finished", async () => {
    const result = await runWithStop("clean", `log.info("stopped");`, 5_000);
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(result.output).toContain('"msg":"stopped"');
  });

  it("exits 1 when stop fails", async () => {
    const result = await runWithStop("failing", `throw new Error("database gone");`, 5_000);
    expect(result).toMatchObject({ code: 1, signal: null });
    expect(result.output).toContain("database gone");
  });

  it("exits 1 at the deadline when stop never finishes", async () => {
    const result = await runWithStop("hanging", "await new Promise(() => {});", 300);
    expect(result).toMatchObject({ code: 1, signal: null });
    expect(result.output).toContain("shutdown did not finish in time");
  });

  it("is killed by its watchdog when the event loop is blocked past the deadline", async () => {
    const result = await runWithStop("blocked", "for (;;) {}", 300);
    expect(result).toMatchObject({ code: null, signal: "SIGKILL" });
  });
});
