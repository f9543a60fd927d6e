import "server-only";
import { and, count, eq, gte } from "drizzle-orm";
import type { Db } from "../client";
import { signinAttempts, users, type NewUser, type User } from "../schema";

export async function findUserByEmail(db: Db, email: string): Promise<User | undefined> {
  const [row] = await db.select().from(users).where(eq(users.email, email.toLowerCase()));
  return row;
}

export async function findUserById(db: Db, id: string): Promise<User | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
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

export async function recordSigninAttempt(
  db: Db,
  attempt: { email: string; ip: string; succeeded: boolean; at: Date },
): Promise<void> {
  await db.insert(signinAttempts).values({
    email: attempt.email.toLowerCase(),
    ip: attempt.ip,
    succeeded: attempt.succeeded,
    createdAt: attempt.at,
  });
}

export async function countRecentFailures(
  db: Db,
  by: { email: string } | { ip: string },
  since: Date,
): Promise<number> {
  const who =
    "email" in by ? eq(signinAttempts.email, by.email.toLowerCase()) : eq(signinAttempts.ip, by.ip);
  const [row] = await db
    .select({ n: count() })
    .from(signinAttempts)
    .where(and(who, eq(signinAttempts.succeeded, false), gte(signinAttempts.createdAt, since)));
  return row?.n ?? 0;
}
