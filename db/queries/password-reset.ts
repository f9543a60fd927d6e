import "server-only";
import { and, eq, gt, isNull } from "drizzle-orm";
import type { Db } from "../client";
import { passwordResetTokens, users } from "../schema";

/*
 * Password reset tokens (lib/auth/password-reset.ts). Only the token's SHA-256 is ever stored.
 * Instants (`at`, `expiresAt`) are the shop's clock, passed in by the caller: the sandbox's
 * virtual clock moves them in tests.
 */

/**
 * Revokes every usable token of the user. Called before a new token is inserted in the same
 * transaction: `password_reset_tokens_one_live_uq` allows one usable token per user. Returns how
 * many were revoked.
 */
export async function revokeLiveResetTokens(db: Db, userId: string, at: Date): Promise<number> {
  const rows = await db
    .update(passwordResetTokens)
    .set({ revokedAt: at })
    .where(
      and(
        eq(passwordResetTokens.userId, userId),
        isNull(passwordResetTokens.usedAt),
        isNull(passwordResetTokens.revokedAt),
      ),
    )
    .returning({ id: passwordResetTokens.id });
  return rows.length;
}

export async function insertResetToken(
  db: Db,
  token: { id: string; userId: string; tokenHash: string; expiresAt: Date },
): Promise<void> {
  await db.insert(passwordResetTokens).values(token);
}

export interface ResetTokenLookup {
  id: string;
  userId: string;
  email: string;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
}

/** The token with this hash and its user's address, whatever its state; undefined if none. */
export async function findResetTokenByHash(
  db: Db,
  tokenHash: string,
): Promise<ResetTokenLookup | undefined> {
  const [row] = await db
    .select({
      id: passwordResetTokens.id,
      userId: passwordResetTokens.userId,
      email: users.email,
      expiresAt: passwordResetTokens.expiresAt,
      usedAt: passwordResetTokens.usedAt,
      revokedAt: passwordResetTokens.revokedAt,
    })
    .from(passwordResetTokens)
    .innerJoin(users, eq(users.id, passwordResetTokens.userId))
    .where(eq(passwordResetTokens.tokenHash, tokenHash));
  return row;
}

/**
 * Marks the token used if it still is usable at `at` (not used, not revoked, not expired): a
 * conditional UPDATE, so of two submissions of one token at once exactly one wins (the other
 * waits on the row lock, then finds `used_at` set). True for the winner.
 */
export async function useResetToken(db: Db, tokenId: string, at: Date): Promise<boolean> {
  const rows = await db
    .update(passwordResetTokens)
    .set({ usedAt: at })
    .where(
      and(
        eq(passwordResetTokens.id, tokenId),
        isNull(passwordResetTokens.usedAt),
        isNull(passwordResetTokens.revokedAt),
        gt(passwordResetTokens.expiresAt, at),
      ),
    )
    .returning({ id: passwordResetTokens.id });
  return rows.length > 0;
}
