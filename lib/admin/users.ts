import "server-only";
import { z } from "zod";
import type { Db } from "@/db/client";
import {
  listUsersForAdmin,
  lockAdmins,
  lockUser,
  setUserRole,
  type AdminUserRow,
  type UserRole,
} from "@/db/queries/admin-users";
import { insertAudit } from "@/db/queries/audit";
import { AppError } from "@/lib/errors";
import { decodeCursor, encodeCursor, limitParam, type AdminPage } from "./query";

/**
 * The admin's users (issue #11): the list's query and pages, and the role change with its two
 * rules kept on the server — an admin never demotes themselves, and the last admin is never
 * demoted (the shop would have no one to run it). A role change bumps the user's session
 * version, so every session of theirs ends at once, and is audited with before and after.
 */

export const USER_ROLES = ["buyer", "admin"] as const;

/** `GET /api/admin/users` and the page's query string. */
export const usersQuery = z.strictObject({
  q: z.string().max(100, "q.too_long").optional(),
  role: z.enum(USER_ROLES, { error: "role.invalid" }).optional(),
  cursor: z.string().max(500, "cursor.invalid").optional(),
  limit: limitParam,
});
export type UsersQuery = z.infer<typeof usersQuery>;

const cursorShape = z.tuple([z.iso.datetime(), z.string().min(1).max(100)]);

/** JSON-safe row of the list (dates as ISO strings). */
export interface UserListItem {
  id: string;
  email: string;
  name: string | null;
  role: UserRole;
  createdAt: string;
}

const toItem = (row: AdminUserRow): UserListItem => ({
  ...row,
  createdAt: row.createdAt.toISOString(),
});

/** One page of users; the cursor is the last row's (created_at, id). */
export async function usersPage(db: Db, query: UsersQuery): Promise<AdminPage<UserListItem>> {
  const after = query.cursor
    ? (([createdAt, id]) => ({ createdAt: new Date(createdAt), id }))(
        decodeCursor(query.cursor, cursorShape),
      )
    : undefined;
  const rows = await listUsersForAdmin(db, {
    q: query.q,
    role: query.role,
    after,
    limit: query.limit + 1,
  });
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  return {
    items: items.map(toItem),
    nextCursor:
      rows.length > query.limit && last
        ? encodeCursor([last.createdAt.toISOString(), last.id])
        : null,
  };
}

export type RoleChangeResult =
  | { ok: true; changed: boolean; before: UserRole; after: UserRole }
  | { ok: false; reason: "self" | "last_admin" };

/**
 * Gives the user the role. Refused: the acting admin demoting themselves, and demoting the
 * last admin. Unknown user → not_found. Same role → nothing written, no audit row.
 */
export async function changeUserRole(
  db: Db,
  actorUserId: string,
  targetUserId: string,
  role: UserRole,
): Promise<RoleChangeResult> {
  return db.transaction(async (tx): Promise<RoleChangeResult> => {
    // Admins first, then the user: every role change locks in the same order.
    const admins = await lockAdmins(tx);
    const before = await lockUser(tx, targetUserId);
    if (!before) throw new AppError("not_found", "No user with this id.");
    if (before.role === role) return { ok: true, changed: false, before: role, after: role };
    if (role === "buyer") {
      if (targetUserId === actorUserId) return { ok: false, reason: "self" };
      if (admins.filter((id) => id !== targetUserId).length === 0) {
        return { ok: false, reason: "last_admin" };
      }
    }
    await setUserRole(tx, targetUserId, role);
    await insertAudit(tx, {
      actorKind: "user",
      actorUserId,
      action: "user.role_change",
      targetType: "user",
      targetId: targetUserId,
      details: { before: { role: before.role }, after: { role }, email: before.email },
    });
    return { ok: true, changed: true, before: before.role, after: role };
  });
}
