// Tests read response bodies loosely; production code parses them with zod instead.
declare global {
  interface Response {
    // biome-ignore lint/suspicious/noExplicitAny: test-only convenience
    json(): Promise<any>;
  }
}

export {};
