import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { isUniqueViolation } from "@/db/errors";
import { insertAudit } from "@/db/queries/audit";
import {
  findResetTokenByHash,
  insertResetToken,
  revokeLiveResetTokens,
  useResetToken,
  type ResetTokenLookup,
} from "@/db/queries/password-reset";
import { findUserByEmail, setPasswordHash } from "@/db/queries/users";
import { isAppError, type FieldErrors } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { moduleLogger } from "@/lib/logger";
import { eventKeys, enqueueBuyerNotice } from "@/lib/notices/enqueue";
import { seal } from "@/lib/notices/tokens";
import { RATE_LIMITS, takeSlots, type RateLimitDeps } from "@/lib/rate-limit";
import { fieldErrorsOf } from "@/lib/validation";
import { hashPassword } from "./password";
import { signUpSchema } from "./schemas";

/*
 * Password reset by email (issue #13). A request makes a token (32 random bytes, base64url) that
 * lives 30 minutes on the shop's clock and works once; the database keeps only its SHA-256, and
 * the notice carries it sealed with AUTH_SECRET (lib/notices/tokens.ts) until the sender has
 * mailed the link (`/reset-password?token=…`) and scrubbed it. A newer request revokes the older
 * token. The form's answer is the same whether or not the address has an account, and whether or
 * not the request was throttled, so it tells nobody which addresses are registered.
 */

const log = moduleLogger("password-reset");

export const RESET_TOKEN_TTL_MINUTES = 30;
const TTL_MS = RESET_TOKEN_TTL_MINUTES * 60 * 1000;
const ONE_LIVE_UQ = "password_reset_tokens_one_live_uq";
/** Matches no user id (ids are `usr_…`): the revoke an unknown address runs touches nothing. */
const NOBODY = "";

export interface PasswordResetDeps extends RateLimitDeps {
  /** AUTH_SECRET: seals the token into the notice for the sender. */
  authSecret: string;
}

/** A token as it travels in the link: 32 bytes, base64url, unpadded. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function hashResetToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function newResetToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, tokenHash: hashResetToken(token) };
}

const requestSchema = z.object({ email: signUpSchema.shape.email });

/** What the form says after any well-formed request: "if an account exists, we sent a link". */
export type ResetRequestResult = { ok: true } | { ok: false; fields: FieldErrors };

/**
 * Asks for a reset link to be mailed to `email`. Only a malformed address is refused (field
 * codes as sign-up's); everything else — an unknown address, a throttled request, two requests
 * at once — answers `{ ok: true }`, and only an address with an account gets a token and a
 * notice. The caller asks the sender to run once this has returned (the notice is committed).
 *
 * `client`: the client's rate-limit key (lib/rate-limit.ts `clientKeyOf`).
 */
export async function requestPasswordReset(
  deps: PasswordResetDeps,
  input: { email: unknown; client: string },
): Promise<ResetRequestResult> {
  const parsed = requestSchema.safeParse({ email: input.email });
  if (!parsed.success) return { ok: false, fields: fieldErrorsOf(parsed.error) };
  const { email } = parsed.data;

  try {
    await takeSlots(deps, [
      { limit: RATE_LIMITS.passwordResetPerClient, key: input.client },
      // Keyed by a digest: the counters table and the rate-limit log hold no address.
      { limit: RATE_LIMITS.passwordResetPerAddress, key: addressKey(email) },
    ]);
  } catch (error) {
    if (!isAppError(error, "rate_limited")) throw error;
    log.warn({ client: input.client }, "password reset request throttled; nothing sent");
    return { ok: true };
  }

  // The same work whether or not the address has an account (the token, its hash and its seal
  // are made before the lookup; the revoke runs on nobody for a stranger), so the answer's time
  // does not say which it was: only the two inserts differ.
  const { token, tokenHash } = newResetToken();
  const sealed = seal(deps.authSecret, token);
  const tokenId = newId("prt");
  const now = await deps.now();
  const expiresAt = new Date(now.getTime() + TTL_MS);
  try {
    const userId = await deps.db.transaction(async (tx) => {
      const user = await findUserByEmail(tx, email);
      // Before the insert: one usable token per account (password_reset_tokens_one_live_uq).
      await revokeLiveResetTokens(tx, user?.id ?? NOBODY, now);
      if (!user) return null;
      await insertResetToken(tx, { id: tokenId, userId: user.id, tokenHash, expiresAt });
      await enqueueBuyerNotice(tx, {
        kind: "password_reset",
        eventKey: eventKeys.reset(tokenId),
        userId: user.id,
        data: { tokenId, sealed, expiresAt: expiresAt.toISOString() },
      });
      return user.id;
    });
    if (userId) log.info({ userId, tokenId }, "password reset token issued");
    else log.info("password reset asked for an address without an account; nothing sent");
  } catch (error) {
    // Two requests for one account at the same moment: the other's token stands, its mail goes.
    if (!isUniqueViolation(error, ONE_LIVE_UQ)) throw error;
    log.info("password reset asked twice at once; the other request's token stands");
  }
  return { ok: true };
}

function addressKey(email: string): string {
  return createHash("sha256").update(email).digest("hex").slice(0, 32);
}

/** Why a link does not work: unknown or revoked (`invalid`), too old, or already used. */
export type ResetRefusal = "invalid" | "expired" | "used";

export type TokenState =
  { ok: true; token: ResetTokenLookup } | { ok: false; reason: ResetRefusal };

/** A stored token (or none) judged at `now`: usable, or why not. */
export function resetTokenState(token: ResetTokenLookup | undefined, now: Date): TokenState {
  if (!token) return { ok: false, reason: "invalid" };
  if (token.usedAt) return { ok: false, reason: "used" };
  // A newer request revoked it: the buyer should use the newest mail.
  if (token.revokedAt) return { ok: false, reason: "invalid" };
  if (token.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: "expired" };
  return { ok: true, token };
}

async function lookUp(deps: Pick<PasswordResetDeps, "db">, token: unknown) {
  if (typeof token !== "string" || !TOKEN_SHAPE.test(token)) return undefined;
  return findResetTokenByHash(deps.db, hashResetToken(token));
}

/**
 * Whether the link's token can still be used, for the page to show the form or say why not.
 * Reads only: opening the link (or a mail scanner fetching it) uses nothing up.
 */
export async function checkResetToken(
  deps: Pick<PasswordResetDeps, "db" | "now">,
  token: unknown,
): Promise<{ ok: true; email: string } | { ok: false; reason: ResetRefusal }> {
  const state = resetTokenState(await lookUp(deps, token), await deps.now());
  return state.ok ? { ok: true, email: state.token.email } : state;
}

const resetSchema = z
  .object({
    password: signUpSchema.shape.password,
    confirmPassword: z.string({ error: "password.mismatch" }),
  })
  .superRefine((value, ctx) => {
    if (value.confirmPassword !== value.password) {
      ctx.addIssue({ code: "custom", path: ["confirmPassword"], message: "password.mismatch" });
    }
  });

export type ResetResult =
  | { ok: true; userId: string; email: string }
  | { ok: false; reason: ResetRefusal }
  | { ok: false; reason: "fields"; fields: FieldErrors };

/**
 * Sets a new password with a mailed token. The password follows sign-up's rules and is typed
 * twice. In one transaction: the token is marked used (conditionally, so of two submissions at
 * once one wins and the other reads `used`), the hash replaced and the session version bumped in
 * one statement — every session of the account, everywhere, is signed out — and the change
 * audited (`account.password_reset`).
 */
export async function resetPassword(
  deps: Pick<PasswordResetDeps, "db" | "now">,
  input: { token: unknown; password: unknown; confirmPassword: unknown },
): Promise<ResetResult> {
  const parsed = resetSchema.safeParse(input);
  if (!parsed.success) return { ok: false, reason: "fields", fields: fieldErrorsOf(parsed.error) };

  const before = resetTokenState(await lookUp(deps, input.token), await deps.now());
  if (!before.ok) return before;
  const { id: tokenId, userId, email } = before.token;

  const passwordHash = await hashPassword(parsed.data.password);
  // The token's expiry is judged when it is used, after the (slow) hashing.
  const now = await deps.now();
  const sessionVersion = await deps.db.transaction(async (tx) => {
    if (!(await useResetToken(tx, tokenId, now))) return undefined;
    const version = await setPasswordHash(tx, userId, passwordHash);
    if (version === undefined) throw new Error(`password reset: user ${userId} is gone`);
    await insertAudit(tx, {
      actorKind: "user",
      actorUserId: userId,
      action: "account.password_reset",
      targetType: "user",
      targetId: userId,
      details: { tokenId, sessionVersion: version },
    });
    return version;
  });
  if (sessionVersion === undefined) {
    // Lost a race (used by another submission, revoked by a newer request) or just expired.
    const after = resetTokenState(await lookUp(deps, input.token), now);
    return after.ok ? { ok: false, reason: "used" } : after;
  }
  log.info({ userId, tokenId }, "password reset; every session signed out");
  return { ok: true, userId, email };
}
