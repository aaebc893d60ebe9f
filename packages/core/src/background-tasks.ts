import type { Logger } from "./logger.ts";

/**
 * Work a request starts and does not wait for (the inbox's live update after "reply as bot", the
 * summary check): it runs after the answer, and its failure is logged, never thrown. `close()` of the
 * runtime waits for what is still running before the database closes.
 */
const running = new Set<Promise<void>>();

export function runAfterResponse(log: Logger, what: string, task: () => Promise<void>): void {
  const promise = task()
    .catch((err: unknown) => log.warn({ err }, `${what} failed`))
    .finally(() => running.delete(promise));
  running.add(promise);
}

/** Waits for started tasks (at most `timeoutMs`). */
export async function settleBackgroundTasks(timeoutMs = 5_000): Promise<void> {
  if (running.size === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled([...running]),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
}
