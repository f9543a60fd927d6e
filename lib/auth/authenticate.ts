import { randomBytes } from "node:crypto";
import {
  findUserByEmail,
  isKnownDevice,
  recentFailures,
  recordSigninAttempt,
  type FailureScope,
} from "@/db/queries/users";
import type { Db } from "@/db/client";
import type { User } from "@/db/schema";
import { dummyPasswordHash, verifyPassword } from "./password";
import { signInSchema } from "./schemas";

export interface ThrottleLimits {
  /** Failures per (account, client) inside the window before each further attempt must wait. */
  maxFailures: number;
  windowMinutes: number;
}

/** One address may try several accounts (a shared office NAT), so it gets a wider allowance. */
export const IP_FAILURE_MULTIPLIER = 4;
/** Failures of all strangers to one account before they (only they) are delayed. */
export const ACCOUNT_FAILURE_MULTIPLIER = 2;
/** The first delay; each further failure doubles it. */
export const BASE_DELAY_SECONDS = 5;
/** The longest delay for one client. */
export const MAX_DELAY_SECONDS = 5 * 60;
/** The longest account-wide delay: short, since every stranger to the account shares it. */
export const MAX_ACCOUNT_DELAY_SECONDS = 30;

export type AuthenticateResult =
  | {
      ok: true;
      user: User;
      /** The client's known-device id from now on (new unless it sent a valid one). */
      device: string;
    }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number };

/** A random id for the known-device cookie (lib/auth/known-device.ts signs it). */
export function newDeviceId(): string {
  return randomBytes(16).toString("base64url");
}

interface Rule {
  scope: FailureScope;
  free: number;
  capSeconds: number;
}

/**
 * Checks credentials behind growing delays, after OWASP's authentication guidance: no account is
 * ever locked, and an attacker cannot slow down the account's owner.
 *
 * - A known client (its signed device cookie signed in to this account before) is throttled only
 *   by its own failures on this account: strangers' failures never slow it.
 * - A stranger is throttled per (account, address), per address across accounts, and — with a
 *   short cap — by all strangers' failures on the account.
 * - Past `free` failures in the window each attempt must wait 5 s × 2^(extra failures), capped,
 *   counted from the latest failure. Throttled attempts skip the password check and are not
 *   recorded, so hammering does not extend the delay. Unknown emails cost a full hash comparison.
 */
export async function authenticate(
  db: Db,
  input: { email: unknown; password: unknown; ip: string; device?: string | null },
  now: Date,
  limits: ThrottleLimits,
): Promise<AuthenticateResult> {
  const parsed = signInSchema.safeParse({ email: input.email, password: input.password });
  if (!parsed.success) return { ok: false, reason: "invalid" };
  const { email, password } = parsed.data;
  const ip = input.ip || "unknown";
  const device = input.device || null;

  const known = device !== null && (await isKnownDevice(db, email, device));
  const free = limits.maxFailures;
  const rules: Rule[] = known
    ? [{ scope: { email, device }, free, capSeconds: MAX_DELAY_SECONDS }]
    : [
        { scope: { email, ip, known: false }, free, capSeconds: MAX_DELAY_SECONDS },
        {
          scope: { ip, known: false },
          free: free * IP_FAILURE_MULTIPLIER,
          capSeconds: MAX_DELAY_SECONDS,
        },
        {
          scope: { email, known: false },
          free: free * ACCOUNT_FAILURE_MULTIPLIER,
          capSeconds: MAX_ACCOUNT_DELAY_SECONDS,
        },
      ];
  const wait = await waitSeconds(db, rules, now, limits.windowMinutes);
  if (wait > 0) return { ok: false, reason: "throttled", retryAfterSeconds: wait };

  const user = await findUserByEmail(db, email);
  const valid = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
  const succeeded = Boolean(user && valid);
  // A successful sign-in makes the client known to the account: it gets a device id if it had none.
  const recordedDevice = device ?? (succeeded ? newDeviceId() : null);
  await recordSigninAttempt(db, { email, ip, device: recordedDevice, known, succeeded, at: now });
  return user && valid && recordedDevice
    ? { ok: true, user, device: recordedDevice }
    : { ok: false, reason: "invalid" };
}

/** Seconds until every rule allows an attempt (0: now). */
async function waitSeconds(
  db: Db,
  rules: Rule[],
  now: Date,
  windowMinutes: number,
): Promise<number> {
  const since = new Date(now.getTime() - windowMinutes * 60_000);
  const waits = await Promise.all(
    rules.map(async ({ scope, free, capSeconds }) => {
      const { count, last } = await recentFailures(db, scope, since);
      if (count < free || !last) return 0;
      const delay = Math.min(BASE_DELAY_SECONDS * 2 ** Math.min(count - free, 30), capSeconds);
      return Math.max(0, Math.ceil((last.getTime() + delay * 1000 - now.getTime()) / 1000));
    }),
  );
  return Math.max(0, ...waits);
}
