import { z } from "zod";

/** The error body every API response uses for failures. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    requestId: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Cursor-paginated list shape shared by every list endpoint. */
export const page = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ data: z.array(item), nextCursor: z.string().nullable() });

export const Role = z.enum(["OWNER", "ADMIN", "AGENT"]);
export type Role = z.infer<typeof Role>;

/** Header and cookie names shared by the server and the dashboard. */
export const CSRF_COOKIE = "tandem_csrf";
export const CSRF_HEADER = "x-csrf-token";
export const SESSION_COOKIE = "tandem_session";
