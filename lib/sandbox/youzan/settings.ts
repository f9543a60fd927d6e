import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { statement } from "@/db/statement";
import { youzanSandboxSettings as settings } from "@/db/schema";
import { DEFAULT_FAULTS, faultsFromStored } from "./faults";
import type { YouzanFaults } from "./types";

/*
 * The single settings row (id 1): fault knobs as JSON and the push URL override. Writes merge
 * with `||` in SQL, so a concurrent decrement of `rateLimitNextCalls` is never lost.
 */

const ROW = 1;

/** Read on every gateway call: built once (db/statement.ts). */
const settingsStatement = statement((db) =>
  db
    .select({ faults: settings.faults, pushUrl: settings.pushUrl })
    .from(settings)
    .where(eq(settings.id, ROW)),
);

export async function readSettings(
  db: Db,
): Promise<{ faults: YouzanFaults; pushUrl: string | null }> {
  const [row] = await settingsStatement.run(db, {});
  return { faults: faultsFromStored(row?.faults), pushUrl: row?.pushUrl ?? null };
}

export async function mergeFaults(db: Db, patch: Partial<YouzanFaults>): Promise<YouzanFaults> {
  const [row] = await db
    .insert(settings)
    .values({ id: ROW, faults: { ...DEFAULT_FAULTS, ...patch } })
    .onConflictDoUpdate({
      target: settings.id,
      set: {
        faults: sql`${settings.faults} || ${JSON.stringify(patch)}::jsonb`,
        updatedAt: sql`now()`,
      },
    })
    .returning({ faults: settings.faults });
  return faultsFromStored(row?.faults);
}

export async function writePushUrl(db: Db, url: string | null): Promise<void> {
  await db
    .insert(settings)
    .values({ id: ROW, faults: DEFAULT_FAULTS, pushUrl: url })
    .onConflictDoUpdate({ target: settings.id, set: { pushUrl: url, updatedAt: sql`now()` } });
}

/** Fault knobs that count calls down: each affected call uses one up. */
export type CountedFault = "rateLimitNextCalls" | "brokenNextCalls";

/**
 * Consumes one unit of a counting fault; true when this call is affected. One conditional
 * UPDATE, so concurrent calls never use the same unit twice.
 */
export async function takeCountedFault(db: Db, knob: CountedFault): Promise<boolean> {
  const remaining = sql<number>`coalesce((${settings.faults}->>${knob}::text)::int, 0)`;
  const rows = await db
    .update(settings)
    .set({
      faults: sql`jsonb_set(${settings.faults}, ARRAY[${knob}::text], to_jsonb(${remaining} - 1))`,
    })
    .where(and(eq(settings.id, ROW), sql`${remaining} > 0`))
    .returning({ id: settings.id });
  return rows.length > 0;
}
