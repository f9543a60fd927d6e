import "server-only";
import { and, desc, eq, ilike, like, lt, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import { agreements, orders, products, users, type User } from "../schema";

/** The admin's users list and a buyer's page (issue #11). */

export type UserRole = User["role"];

export interface AdminUserRow {
  id: string;
  email: string;
  name: string | null;
  role: UserRole;
  createdAt: Date;
}

/** `%`, `_` and `\` taken literally in a LIKE pattern. */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Users newest first, a page at a time: keyset on (created_at, id) — `after` is the last row of
 * the previous page. `q` matches the start of the email (the `users_email_pattern_idx` index) or
 * any part of the display name, case-insensitively; `role` keeps one role.
 */
export async function listUsersForAdmin(
  db: Db,
  query: {
    q?: string;
    role?: UserRole;
    after?: { createdAt: Date; id: string };
    limit: number;
  },
): Promise<AdminUserRow[]> {
  const q = query.q?.trim();
  const search = q
    ? or(
        like(users.email, `${escapeLike(q.toLowerCase())}%`),
        ilike(users.name, `%${escapeLike(q)}%`),
      )
    : undefined;
  const after = query.after
    ? or(
        lt(users.createdAt, query.after.createdAt),
        and(eq(users.createdAt, query.after.createdAt), lt(users.id, query.after.id)),
      )
    : undefined;
  return db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      createdAt: users.createdAt,
    })
    .from(users)
    .where(and(search, query.role ? eq(users.role, query.role) : undefined, after))
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(query.limit);
}

/**
 * Locks every admin's row and answers how many there are: two demotions at once queue here, so
 * the second sees the first and the shop never ends up without an admin.
 */
export async function lockAdmins(tx: Db): Promise<string[]> {
  const rows = await tx
    .select({ id: users.id })
    .from(users)
    .where(eq(users.role, "admin"))
    .orderBy(users.id)
    .for("update");
  return rows.map((row) => row.id);
}

/** The user's row, locked until the transaction ends. */
export async function lockUser(tx: Db, id: string): Promise<User | undefined> {
  const [row] = await tx.select().from(users).where(eq(users.id, id)).for("update");
  return row;
}

/**
 * Sets the role and bumps the session version in one statement: every session of the user ends
 * (the guards re-read the role on each request anyway; a demoted admin also signs in again).
 */
export async function setUserRole(tx: Db, id: string, role: UserRole): Promise<User | undefined> {
  const [row] = await tx
    .update(users)
    .set({ role, sessionVersion: sql`${users.sessionVersion} + 1` })
    .where(eq(users.id, id))
    .returning();
  return row;
}

export interface BuyerOrderRow {
  orderNo: string;
  kind: string;
  provider: string;
  status: string;
  amountFen: number;
  productNameZh: string;
  productNameEn: string;
  createdAt: Date;
  paidAt: Date | null;
}

/** The buyer's latest orders (newest first). */
export async function ordersOfUser(
  db: Db,
  userId: string,
  limit: number,
): Promise<BuyerOrderRow[]> {
  return db
    .select({
      orderNo: orders.orderNo,
      kind: orders.kind,
      provider: orders.provider,
      status: orders.status,
      amountFen: orders.amountFen,
      productNameZh: products.nameZh,
      productNameEn: products.nameEn,
      createdAt: orders.createdAt,
      paidAt: orders.paidAt,
    })
    .from(orders)
    .innerJoin(products, eq(products.id, orders.productId))
    .where(eq(orders.userId, userId))
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(limit);
}

export interface BuyerAgreementRow {
  id: string;
  externalAgreementNo: string;
  status: string;
  singleAmountFen: number;
  periodDays: number;
  nextChargeDate: string | null;
  paidPeriods: number;
  productNameZh: string;
  productNameEn: string;
  createdAt: Date;
}

/** The buyer's agreements (newest first), each with the amount it was signed for. */
export async function agreementsOfUser(db: Db, userId: string): Promise<BuyerAgreementRow[]> {
  return db
    .select({
      id: agreements.id,
      externalAgreementNo: agreements.externalAgreementNo,
      status: agreements.status,
      singleAmountFen: agreements.singleAmountFen,
      periodDays: agreements.periodDays,
      nextChargeDate: agreements.nextChargeDate,
      paidPeriods: agreements.paidPeriods,
      productNameZh: products.nameZh,
      productNameEn: products.nameEn,
      createdAt: agreements.createdAt,
    })
    .from(agreements)
    .innerJoin(products, eq(products.id, agreements.productId))
    .where(eq(agreements.userId, userId))
    .orderBy(desc(agreements.createdAt), desc(agreements.id));
}
