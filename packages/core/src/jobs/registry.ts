import type { AnyJobDefinition } from "./define-job.ts";

/**
 * The job handlers a process runs. The web server (embedded mode) and the worker (scaled mode)
 * fill theirs from the same list (`registerAllJobs`), so both run identical handlers.
 */
export class JobRegistry<TDeps extends object = object> {
  readonly #defs = new Map<string, AnyJobDefinition<TDeps>>();

  register(...defs: AnyJobDefinition<TDeps>[]): this {
    for (const def of defs) {
      const existing = this.#defs.get(def.name);
      if (existing && existing !== def) throw new Error(`Job "${def.name}" is registered twice`);
      this.#defs.set(def.name, def);
    }
    return this;
  }

  get(name: string): AnyJobDefinition<TDeps> | undefined {
    return this.#defs.get(name);
  }

  list(): AnyJobDefinition<TDeps>[] {
    return [...this.#defs.values()];
  }
}
