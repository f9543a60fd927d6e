import "server-only";
import { and, count, eq, gte, max, sql } from "drizzle-orm";
import type { Db } from "../client";
import { statement, type Slots } from "../statement";
import { signinAttempts, users, type NewUser, type User } from "../schema";

export async function findUserByEmail(db: Db, email: string): Promise<User | undefined> {
  const [row] = await db.select().from(users).where(eq(users.email, email.toLowerCase()));
  return row;
}

// Read on every signed-in request (userForSession): built once (db/statement.ts).
const userById = statement((db, slot: Slots<{ id: string }>) =>
  db.select().from(users).where(eq(users.id, slot.id)),
);

export async function findUserById(db: Db, id: string): Promise<User | undefined> {
  const [row] = await userById.run(db, { id });
  return row;
}

/** Inserts unless the email exists; `undefined` means the email is taken. */
export async function insertUser(db: Db, user: NewUser): Promise<User | undefined> {
  const [row] = await db
    .insert(users)
    .values({ ...user, email: user.email.toLowerCase() })
    .onConflictDoNothing({ target: users.email })
    .returning();
  return row;
}

/**
 * Ends every session of the user issued so far (the guards compare the JWT's version with this).
 * Called by sign-out; a password change or a role change must call it too.
 */
export async function bumpSessionVersion(db: Db, userId: string): Promise<void> {
  await db
    .update(users)
    .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
    .where(eq(users.id, userId));
}

/**
 * Replaces the password hash and bumps the session version in one statement, so no session
 * issued before the change outlives it. Returns the new version (`undefined`: no such user).
 */
export async function setPasswordHash(
  db: Db,
  userId: string,
  passwordHash: string,
): Promise<number | undefined> {
  const [row] = await db
    .update(users)
    .set({ passwordHash, sessionVersion: sql`${users.sessionVersion} + 1` })
    .where(eq(users.id, userId))
    .returning({ sessionVersion: users.sessionVersion });
  return row?.sessionVersion;
}

/** Sets (or, with null, removes) the display name; false when there is no such user. */
export async function setUserName(db: Db, userId: string, name: string | null): Promise<boolean> {
  const rows = await db
    .update(users)
    .set({ name })
    .where(eq(users.id, userId))
    .returning({ id: users.id });
  return rows.length > 0;
}

export async function recordSigninAttempt(
  db: Db,
  attempt: {
    email: string;
    ip: string;
    device?: string | null;
    known?: boolean;
    succeeded: boolean;
    at: Date;
  },
): Promise<void> {
  await db.insert(signinAttempts).values({
    email: attempt.email.toLowerCase(),
    ip: attempt.ip,
    device: attempt.device ?? null,
    known: attempt.known ?? false,
    succeeded: attempt.succeeded,
    createdAt: attempt.at,
  });
}

/** Whether this device has signed in to this email before (a "known client" of the account). */
export async function isKnownDevice(db: Db, email: string, device: string): Promise<boolean> {
  const [row] = await db
    .select({ id: signinAttempts.id })
    .from(signinAttempts)
    .where(
      and(
        eq(signinAttempts.email, email.toLowerCase()),
        eq(signinAttempts.device, device),
        eq(signinAttempts.succeeded, true),
      ),
    )
    .limit(1);
  return row !== undefined;
}

export type FailureScope =
  | { email: string; device: string } // a known client of the account
  | { email: string; ip: string; known: false } // a stranger to the account, by address
  | { ip: string; known: false } // strangers from one address, across accounts
  | { email: string; known: false }; // every stranger to the account

/** Failures in the scope since `since`: how many, and when the latest was. */
export async function recentFailures(
  db: Db,
  scope: FailureScope,
  since: Date,
): Promise<{ count: number; last: Date | null }> {
  const where = [eq(signinAttempts.succeeded, false), gte(signinAttempts.createdAt, since)];
  if ("email" in scope) where.push(eq(signinAttempts.email, scope.email.toLowerCase()));
  if ("ip" in scope) where.push(eq(signinAttempts.ip, scope.ip));
  if ("device" in scope) where.push(eq(signinAttempts.device, scope.device));
  if ("known" in scope) where.push(eq(signinAttempts.known, false));
  const [row] = await db
    .select({ n: count(), last: max(signinAttempts.createdAt) })
    .from(signinAttempts)
    .where(and(...where));
  return { count: row?.n ?? 0, last: row?.last ?? null };
}

/** The language the buyer's notices are written in (the language switch, while signed in). */
export async function setUserLocale(db: Db, userId: string, locale: string): Promise<void> {
  await db.update(users).set({ locale }).where(eq(users.id, userId));
}
