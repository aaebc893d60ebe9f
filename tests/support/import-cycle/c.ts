import type { b } from "./b.ts";

export type Unused = typeof b;
