import { assertCan, type Permission } from "@tandem/core";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../types.ts";

/** Role check for one route; the policy table itself lives in core. */
export const requirePermission = (permission: Permission) =>
  createMiddleware<AppEnv>(async (c, next) => {
    assertCan(c.get("auth").role, permission);
    await next();
  });
