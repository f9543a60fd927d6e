import "server-only";
import { eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { statement } from "../statement";
import { sandboxClock } from "../schema";

// Read by every `now()` in sandbox mode: built once (db/statement.ts).
const clockOffset = statement((db) =>
  db.select({ offsetMs: sandboxClock.offsetMs }).from(sandboxClock).where(eq(sandboxClock.id, 1)),
);

/** The sandbox clock's offset from real time in ms (0 when it was never moved). */
export async function readClockOffset(db: Db): Promise<number> {
  const [row] = await clockOffset.run(db, {});
  return row?.offsetMs ?? 0;
}

/** Adds `deltaMs` to the offset (the row is created on first use); returns the new offset. */
export async function addClockOffset(db: Db, deltaMs: number): Promise<number> {
  const [row] = await db
    .insert(sandboxClock)
    .values({ id: 1, offsetMs: deltaMs })
    .onConflictDoUpdate({
      target: sandboxClock.id,
      // Real time on purpose: this row is the clock itself.
      set: { offsetMs: sql`${sandboxClock.offsetMs} + ${deltaMs}`, updatedAt: sql`now()` },
    })
    .returning({ offsetMs: sandboxClock.offsetMs });
  return row?.offsetMs ?? deltaMs;
}
