import "server-only";
import { randomBytes } from "node:crypto";
import { and, desc, eq, gt, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { statement, type Slots } from "@/db/statement";
import { youzanSandboxTokens as tokens } from "@/db/schema";
import { mergeFaults, readSettings } from "./settings";

export const TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const TOKEN_SCOPE = "shop trade pay_qrcode user item";

export type TokenRow = typeof tokens.$inferSelect;

/**
 * Self-use token semantics (spec §1.1): a valid token and `refresh:false` → the same token, expiry
 * not extended; none valid → a new one; `refresh:true` → a new one and every older token of the
 * (app, shop) is invalid at once (the stricter of the two documented behaviours). While the
 * `tokenExpiredEarly` fault is on every issued token counts as revoked; minting clears it.
 */
export async function issueToken(
  db: Db,
  app: { clientId: string; kdtId: string },
  now: Date,
  refresh: boolean,
): Promise<TokenRow> {
  return db.transaction(async (tx) => {
    const { faults } = await readSettings(tx);
    const mine = and(eq(tokens.clientId, app.clientId), eq(tokens.kdtId, app.kdtId));
    if (faults.tokenExpiredEarly) {
      await tx
        .update(tokens)
        .set({ revokedAt: now })
        .where(and(mine, isNull(tokens.revokedAt)));
      await mergeFaults(tx, { tokenExpiredEarly: false });
    }
    const [current] = await tx
      .select()
      .from(tokens)
      .where(and(mine, isNull(tokens.revokedAt), gt(tokens.expiresAt, now)))
      .orderBy(desc(tokens.issuedAt))
      .limit(1);
    if (current && !refresh) return current;
    if (refresh) {
      await tx
        .update(tokens)
        .set({ revokedAt: now })
        .where(and(mine, isNull(tokens.revokedAt)));
    }
    const [created] = await tx
      .insert(tokens)
      .values({
        token: randomBytes(16).toString("hex"),
        clientId: app.clientId,
        kdtId: app.kdtId,
        issuedAt: now,
        expiresAt: new Date(now.getTime() + TOKEN_TTL_MS),
      })
      .returning();
    if (!created) throw new Error("token insert returned nothing");
    return created;
  });
}

export type TokenCheck = "ok" | "unknown" | "revoked" | "expired";

/** Read on every gateway call: built once (db/statement.ts). */
const tokenStatement = statement((db, slot: Slots<{ token: string }>) =>
  db.select().from(tokens).where(eq(tokens.token, slot.token)),
);

export async function checkToken(db: Db, token: string, now: Date): Promise<TokenCheck> {
  const [row] = await tokenStatement.run(db, { token });
  if (!row) return "unknown";
  if (row.revokedAt) return "revoked";
  if (row.expiresAt.getTime() <= now.getTime()) return "expired";
  return "ok";
}

export async function revokeAllTokens(db: Db, now: Date): Promise<void> {
  await db.update(tokens).set({ revokedAt: now }).where(isNull(tokens.revokedAt));
}
