import type { Db } from "@/db/client";
import { bumpSessionVersion, findUserById } from "@/db/queries/users";
import type { User } from "@/db/schema";
import { AppError } from "@/lib/errors";
import type { Role } from "./types";

/*
 * Kept apart from lib/auth/index.ts (which imports next-auth, hence next) so that the rule can be
 * tested in vitest, where next-auth cannot be loaded.
 */

export interface CurrentUser {
  id: string;
  email: string;
  name: string | null;
  role: Role;
}

/** What the guards read of a next-auth session. */
export interface SessionLike {
  user?: { id?: string | null } | null;
  sessionVersion?: number;
}

/**
 * The session's user, re-read from the database: a deleted account or a changed role takes effect
 * at once. A session signed in before the user's session version was bumped (sign-out, password or
 * role change) counts as signed out; a token without a version predates versions and is refused.
 */
export async function userForSession(
  db: Db,
  session: SessionLike | null | undefined,
): Promise<CurrentUser | null> {
  const id = session?.user?.id;
  if (!id) return null;
  return viewerOf(session, await findUserById(db, id));
}

/** The session's user from a row already read (the status poll reads it with its order). */
export function viewerOf(
  session: SessionLike | null | undefined,
  user: Pick<User, "id" | "email" | "name" | "role" | "sessionVersion"> | null | undefined,
): CurrentUser | null {
  if (!session || !user || user.id !== session.user?.id) return null;
  if (session.sessionVersion !== user.sessionVersion) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

/** The session's user from a row the caller read; 401 when the session no longer holds. */
export function assertViewer(
  session: SessionLike,
  row: Parameters<typeof viewerOf>[1],
): CurrentUser {
  const user = viewerOf(session, row);
  if (!user) throw new AppError("unauthorized", "Sign in first.");
  return user;
}

/** next-auth's `events.signOut` message (JWT strategy: the decoded token). */
export type SignOutMessage = { token?: { uid?: unknown } | null } | { session?: unknown };

/** Sign-out ends every session of the user, including copies of this cookie. */
export async function endSessionsOnSignOut(db: Db, message: SignOutMessage): Promise<boolean> {
  const uid = "token" in message ? message.token?.uid : undefined;
  if (typeof uid !== "string") return false;
  await bumpSessionVersion(db, uid);
  return true;
}
