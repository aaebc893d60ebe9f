import { createRouter } from "../openapi.ts";

// PLACEHOLDER owned by a helper: replaced in this session.
export function channelRoutes() {
  return createRouter();
}
