import { countRecentFailures, findUserByEmail, recordSigninAttempt } from "@/db/queries/users";
import type { Db } from "@/db/client";
import type { User } from "@/db/schema";
import { dummyPasswordHash, verifyPassword } from "./password";
import { signInSchema } from "./schemas";

export interface ThrottleLimits {
  /** Failures per email inside the window before further attempts are refused. */
  maxFailures: number;
  windowMinutes: number;
}

/** One address may try several accounts (a shared office NAT), so it gets a wider allowance. */
export const IP_FAILURE_MULTIPLIER = 4;

export type AuthenticateResult =
  { ok: true; user: User } | { ok: false; reason: "invalid" | "throttled" };

/**
 * Checks credentials with a sliding-window throttle per email and per IP. Throttled attempts do
 * not look at the password at all, so guessing cannot continue behind the limit; they are still
 * recorded, which keeps an ongoing attack locked out. Unknown emails cost a full hash comparison.
 */
export async function authenticate(
  db: Db,
  input: { email: unknown; password: unknown; ip: string },
  now: Date,
  limits: ThrottleLimits,
): Promise<AuthenticateResult> {
  const parsed = signInSchema.safeParse({ email: input.email, password: input.password });
  if (!parsed.success) return { ok: false, reason: "invalid" };
  const { email, password } = parsed.data;
  const ip = input.ip || "unknown";

  const since = new Date(now.getTime() - limits.windowMinutes * 60_000);
  const [byEmail, byIp] = await Promise.all([
    countRecentFailures(db, { email }, since),
    countRecentFailures(db, { ip }, since),
  ]);
  if (byEmail >= limits.maxFailures || byIp >= limits.maxFailures * IP_FAILURE_MULTIPLIER) {
    await recordSigninAttempt(db, { email, ip, succeeded: false, at: now });
    return { ok: false, reason: "throttled" };
  }

  const user = await findUserByEmail(db, email);
  const valid = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
  await recordSigninAttempt(db, { email, ip, succeeded: Boolean(user && valid), at: now });
  return user && valid ? { ok: true, user } : { ok: false, reason: "invalid" };
}
