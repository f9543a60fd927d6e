import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { timestamp } from "drizzle-orm/pg-core";

/**
 * The shop's "now" as SQL, for column defaults and `$onUpdate`: the statement's time plus the
 * sandbox clock's offset (lib/clock.ts keeps it in `sandbox.clock`, row 1). In live mode that row
 * never exists, so this is plain server time. It is SQL rather than a JS Date because `$onUpdate`
 * is synchronous and cannot await the offset; the database reads it in the same statement.
 * `statement_timestamp()`, not `now()`: `now()` is frozen at the start of the transaction.
 * The table is named in text because db/schema/sandbox.ts imports this file.
 */
export function shopNow(): SQL {
  return sql`(statement_timestamp() + coalesce((select "offset_ms" from "sandbox"."clock" where "id" = 1), 0) * interval '1 millisecond')`;
}

export const tstz = (name: string) => timestamp(name, { withTimezone: true });

/*
 * The DDL default stays `now()` (what the migrations already hold); every insert and update made
 * through drizzle's query builder writes the shop's time instead. Raw SQL (`db.execute`) gets
 * the DDL default on insert and nothing on update: it must set these columns itself.
 */

/** When a row was inserted, on the shop's clock (explicit values win). */
export const createdAt = () => tstz("created_at").notNull().defaultNow().$defaultFn(shopNow);

/** When a row last changed, on the shop's clock: no update has to remember to set it. */
export const updatedAt = () =>
  tstz("updated_at").notNull().defaultNow().$defaultFn(shopNow).$onUpdate(shopNow);

/** An instant recorded at insert (`received_at`, `started_at`), on the shop's clock. */
export const insertedAt = (name: string) => tstz(name).notNull().defaultNow().$defaultFn(shopNow);
