import type { CannedResponseDto } from "@tandem/contracts";
import { cannedResponses, users } from "@tandem/db";
import { eq } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import type { CannedResponseRow } from "./get-canned-response-in-workspace.ts";

export function toCannedResponseDto(row: CannedResponseRow, authorName: string | null): CannedResponseDto {
  return {
    id: row.id,
    shortcut: row.shortcut,
    title: row.title,
    text: row.text,
    createdBy: row.createdById ? { id: row.createdById, name: authorName } : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The rows with their authors' names; `where` must hold the workspace filter. */
export function selectCannedResponses(ctx: Pick<Ctx, "db">) {
  return ctx.db
    .select({ row: cannedResponses, authorName: users.name })
    .from(cannedResponses)
    .leftJoin(users, eq(users.id, cannedResponses.createdById));
}

/** One row as the API shows it, author name included. */
export async function cannedResponseDto(ctx: Pick<Ctx, "db">, row: CannedResponseRow): Promise<CannedResponseDto> {
  if (!row.createdById) return toCannedResponseDto(row, null);
  const [author] = await ctx.db.select({ name: users.name }).from(users).where(eq(users.id, row.createdById));
  return toCannedResponseDto(row, author?.name ?? null);
}
