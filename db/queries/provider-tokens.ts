import "server-only";
import { and, eq, isNull, lt, or } from "drizzle-orm";
import type { Db } from "../client";
import { providerTokens } from "../schema";

export interface ProviderToken {
  value: string;
  expiresAt: number;
}

function tokenOf(row: { token: string | null; expiresAtMs: number | null } | undefined) {
  return row?.token != null && row.expiresAtMs != null
    ? { value: row.token, expiresAt: row.expiresAtMs }
    : undefined;
}

export async function readProviderToken(db: Db, key: string): Promise<ProviderToken | undefined> {
  const [row] = await db.select().from(providerTokens).where(eq(providerTokens.key, key));
  return tokenOf(row);
}

/**
 * Takes the key's minting lease until `untilMs` if no one holds it (or theirs ran out): one
 * caller wins, whatever the number of instances. The winner gets the token stored by then.
 */
export async function claimTokenMint(
  db: Db,
  key: string,
  nowMs: number,
  untilMs: number,
): Promise<{ claimed: true; current: ProviderToken | undefined } | { claimed: false }> {
  await db.insert(providerTokens).values({ key }).onConflictDoNothing();
  const [row] = await db
    .update(providerTokens)
    .set({ mintingUntilMs: untilMs })
    .where(
      and(
        eq(providerTokens.key, key),
        or(isNull(providerTokens.mintingUntilMs), lt(providerTokens.mintingUntilMs, nowMs)),
      ),
    )
    .returning();
  return row ? { claimed: true, current: tokenOf(row) } : { claimed: false };
}

/** Ends the lease taken at `untilMs`, storing the token obtained under it (if any). */
export async function finishTokenMint(
  db: Db,
  key: string,
  untilMs: number,
  token: ProviderToken | null,
): Promise<void> {
  await db
    .update(providerTokens)
    .set({
      mintingUntilMs: null,
      ...(token ? { token: token.value, expiresAtMs: token.expiresAt } : {}),
    })
    // Only our own lease: one that ran out and was taken by another instance is theirs.
    .where(and(eq(providerTokens.key, key), eq(providerTokens.mintingUntilMs, untilMs)));
}
