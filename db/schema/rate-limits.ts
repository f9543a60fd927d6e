import "server-only";
import { index, integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Fixed-window request counters shared by every instance of the shop (lib/rate-limit.ts): one
 * row per limit (`bucket`, e.g. `signup:client`), subject (`key`: a client address or a user id)
 * and window. A request takes its slot with one `INSERT … ON CONFLICT DO UPDATE SET count =
 * count + 1 WHERE count < limit RETURNING count`: the row lock makes concurrent instances take
 * slots one after the other, and no row back means the window is full. Windows that ended are
 * deleted as new ones open.
 */
export const rateLimitCounters = pgTable(
  "rate_limit_counters",
  {
    bucket: text("bucket").notNull(),
    key: text("key").notNull(),
    /** Start of the window on the shop's clock. */
    windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
    count: integer("count").notNull(),
  },
  (t) => [
    primaryKey({ name: "rate_limit_counters_pk", columns: [t.bucket, t.key, t.windowStart] }),
    index("rate_limit_counters_window_idx").on(t.bucket, t.windowStart),
  ],
);

export type RateLimitCounter = typeof rateLimitCounters.$inferSelect;
