import { insertAudit } from "@/db/queries/audit";
import { setPasswordHash, setUserName } from "@/db/queries/users";
import type { Db } from "@/db/client";
import { AppError } from "@/lib/errors";
import { rateLimited } from "@/lib/rate-limit";
import { fieldErrorsOf } from "@/lib/validation";
import { authenticate, type ThrottleLimits } from "./authenticate";
import { hashPassword } from "./password";
import { changeNameSchema, changePasswordSchema } from "./schemas";

/*
 * What the account page changes, as plain functions of the database (the server actions in
 * account-actions.ts add the session, the client's address and the form state). Bad input is a
 * `validation_failed` AppError with field codes; nothing here throws anything else on purpose.
 */

export interface PasswordChangeClient {
  /** The client's address (lib/http/client-ip.ts), for the sign-in throttle. */
  ip: string;
  /** The known-device id of its signed cookie, if any (lib/auth/known-device.ts). */
  device: string | null;
}

const invalid = (error: Parameters<typeof fieldErrorsOf>[0]) =>
  new AppError("validation_failed", "Some fields are invalid.", fieldErrorsOf(error));

/**
 * Changes the signed-in user's password. The current password is checked by the sign-in check
 * itself (`authenticate`): the same growing delays, counted together with sign-in failures, so
 * a stolen session cannot guess the password faster than the sign-in form allows. On success the
 * hash is replaced and the session version bumped in one statement — every session issued before
 * is signed out, this one included (the caller signs it in again) — and the change is audited.
 *
 * Throws `validation_failed` (`currentPassword: password.wrong`, or the form's field codes),
 * `rate_limited` with the seconds to wait, or `unauthorized` when the user is gone.
 */
export async function changePassword(
  db: Db,
  user: { id: string; email: string },
  input: unknown,
  client: PasswordChangeClient,
  now: Date,
  limits: ThrottleLimits,
): Promise<{ sessionVersion: number }> {
  const parsed = changePasswordSchema.safeParse(input);
  if (!parsed.success) throw invalid(parsed.error);
  const { currentPassword, newPassword } = parsed.data;

  const check = await authenticate(
    db,
    { email: user.email, password: currentPassword, ip: client.ip, device: client.device },
    now,
    limits,
  );
  if (!check.ok && check.reason === "throttled") throw rateLimited(check.retryAfterSeconds);
  if (!check.ok || check.user.id !== user.id) {
    throw new AppError("validation_failed", "The current password is not correct.", {
      currentPassword: ["password.wrong"],
    });
  }

  const passwordHash = await hashPassword(newPassword);
  return db.transaction(async (tx) => {
    const sessionVersion = await setPasswordHash(tx, user.id, passwordHash);
    if (sessionVersion === undefined) throw new AppError("unauthorized", "Sign in first.");
    await insertAudit(tx, {
      actorKind: "user",
      actorUserId: user.id,
      action: "user.password_changed",
      targetType: "user",
      targetId: user.id,
      details: { ip: client.ip, sessionVersion },
    });
    return { sessionVersion };
  });
}

/** Sets the display name (trimmed; empty removes it). Returns the name now stored. */
export async function changeName(
  db: Db,
  userId: string,
  input: unknown,
): Promise<{ name: string | null }> {
  const parsed = changeNameSchema.safeParse(input);
  if (!parsed.success) throw invalid(parsed.error);
  const name = parsed.data.name ?? null;
  if (!(await setUserName(db, userId, name))) throw new AppError("unauthorized", "Sign in first.");
  return { name };
}
