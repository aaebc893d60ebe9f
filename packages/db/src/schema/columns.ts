import { text, timestamp } from "drizzle-orm/pg-core";
import { type IdKind, newId } from "../ids.ts";

/** Primary key column with a type-prefixed, time-sortable id generated on insert. */
export const idColumn = (kind: IdKind) =>
  text("id")
    .primaryKey()
    .$defaultFn(() => newId(kind));

export const createdAt = () => timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();

export const updatedAt = () =>
  timestamp("updated_at", { withTimezone: true, mode: "date" })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());

export const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
