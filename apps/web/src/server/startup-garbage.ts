import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * One full garbage collection once the server is up. Start-up leaves a lot behind that nothing
 * references any more — on a first start, PGlite's initdb instance with its WebAssembly memory
 * (about 300 MB); on every start, the migrations and Next's manifests — and an idle server allocates
 * too little for V8 to schedule a major collection on its own: without this the resident size stayed
 * near 790 MB after a first start instead of about 370 MB (bench/server/idle.ts). The collector is
 * exposed for this one call the way Jest's --logHeapUsage does it.
 */
export function releaseStartupGarbage(): void {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  gc();
}
