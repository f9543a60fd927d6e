import "server-only";
import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { statement } from "@/db/statement";
import { keysOfRow, type SandboxAlipayKeys } from "@/db/queries/sandbox-alipay-keys";
import { alipaySandboxKeys, alipaySandboxSettings as settings, sandboxClock } from "@/db/schema";
import {
  applyPatch,
  DEFAULT_FAULTS,
  faultsFromStored,
  type AlipayFaults,
  type FaultsPatch,
  type GatewayMethod,
  type Injection,
} from "./faults";

/*
 * The single settings row (id 1): fault knobs, the app gateway override, the buyer's balance.
 * Read-modify-write happens under a row lock, so concurrent calls never use one injection twice.
 */

const ROW = 1;
export const DEFAULT_BALANCE_FEN = 100_000_00;

export interface AlipaySettings {
  faults: AlipayFaults;
  appGatewayUrl: string | null;
  buyerBalanceFen: number;
  /** The row exists (else these are the defaults): writers may skip ensureRow. */
  stored: boolean;
}

const requestStateStatement = statement((db) => {
  const offset = sql<number>`(select ${sandboxClock.offsetMs} from ${sandboxClock} where ${sandboxClock.id} = 1)`;
  return db
    .select({ keys: alipaySandboxKeys, settings, clockOffsetMs: offset })
    .from(sql`(select 1) as "one"`)
    .leftJoin(alipaySandboxKeys, eq(alipaySandboxKeys.id, 1))
    .leftJoin(settings, eq(settings.id, ROW));
});

/** Creates the settings row with its defaults if it is missing. */
export async function ensureRow(db: Db): Promise<void> {
  await db
    .insert(settings)
    .values({ id: ROW, faults: DEFAULT_FAULTS })
    .onConflictDoNothing({ target: settings.id });
}

export async function readSettings(db: Db): Promise<AlipaySettings> {
  const [row] = await db.select().from(settings).where(eq(settings.id, ROW));
  return settingsOfRow(row);
}

function settingsOfRow(row: typeof settings.$inferSelect | null | undefined): AlipaySettings {
  return {
    faults: faultsFromStored(row?.faults),
    appGatewayUrl: row?.appGatewayUrl ?? null,
    buyerBalanceFen: row?.buyerBalanceFen ?? DEFAULT_BALANCE_FEN,
    stored: row !== undefined && row !== null,
  };
}

/** What a gateway request reads before anything else. */
export interface RequestState {
  /** Null before the sandbox's first use (they are made then). */
  keys: SandboxAlipayKeys | null;
  settings: AlipaySettings;
  clockOffsetMs: number;
}

/**
 * The keys, the settings row and the virtual clock's offset in one statement (each row may be
 * missing: keys and settings are made on first use, the clock row on its first move).
 */
export async function readRequestState(db: Db): Promise<RequestState> {
  const rows = await requestStateStatement.run(db, {});
  const row = rows[0]!;
  return {
    keys: row.keys ? keysOfRow(row.keys) : null,
    settings: settingsOfRow(row.settings),
    clockOffsetMs: Number(row.clockOffsetMs ?? 0),
  };
}

export async function patchFaults(db: Db, patch: FaultsPatch): Promise<AlipayFaults> {
  await ensureRow(db);
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(settings).where(eq(settings.id, ROW)).for("update");
    const next = applyPatch(faultsFromStored(row?.faults), patch);
    await tx.update(settings).set({ faults: next }).where(eq(settings.id, ROW));
    return next;
  });
}

/**
 * Uses up one call of the method's injection; the injection this call gets, or null. `faults`
 * are the request's, already read: without a pending injection there is nothing to take (and
 * no lock to wait for); with one, it is read again under the lock, so it is taken only once.
 */
export async function takeInjection(
  db: Db,
  method: GatewayMethod,
  faults: AlipayFaults,
): Promise<Injection | null> {
  if (!faults.injections[method]) return null;
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(settings).where(eq(settings.id, ROW)).for("update");
    const current = faultsFromStored(row?.faults);
    const injection = current.injections[method];
    if (!injection) return null;
    const remaining = injection.remaining - 1;
    if (remaining > 0) current.injections[method] = { ...injection, remaining };
    else delete current.injections[method];
    await tx.update(settings).set({ faults: current }).where(eq(settings.id, ROW));
    return injection;
  });
}

export async function writeAppGatewayUrl(db: Db, url: string | null): Promise<void> {
  await ensureRow(db);
  await db.update(settings).set({ appGatewayUrl: url }).where(eq(settings.id, ROW));
}

export async function writeBalance(db: Db, fen: number): Promise<void> {
  await ensureRow(db);
  await db.update(settings).set({ buyerBalanceFen: fen }).where(eq(settings.id, ROW));
}

/*
 * Balance updates try the row first and create it only when they hit none (a missing row, or
 * too little money): then, as before, the row is made and the update runs once more, so the
 * outcome is that of "ensureRow, then update" in one statement when the row is there.
 */

/** Takes `fen` from the buyer's balance if it is there; false (nothing taken) otherwise. */
export async function debitBalance(db: Db, fen: number): Promise<boolean> {
  const debit = async () => {
    const rows = await db
      .update(settings)
      .set({ buyerBalanceFen: sql`${settings.buyerBalanceFen} - ${fen}` })
      .where(sql`${settings.id} = ${ROW} and ${settings.buyerBalanceFen} >= ${fen}`)
      .returning({ id: settings.id });
    return rows.length > 0;
  };
  if (await debit()) return true;
  await ensureRow(db);
  return debit();
}

export async function creditBalance(db: Db, fen: number): Promise<void> {
  const credit = async () => {
    const rows = await db
      .update(settings)
      .set({ buyerBalanceFen: sql`${settings.buyerBalanceFen} + ${fen}` })
      .where(eq(settings.id, ROW))
      .returning({ id: settings.id });
    return rows.length > 0;
  };
  if (await credit()) return;
  await ensureRow(db);
  await credit();
}
