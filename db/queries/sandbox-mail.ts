import "server-only";
import { and, count, desc, eq, lt, sql } from "drizzle-orm";
import type { Db } from "../client";
import { sandboxMail } from "../schema";

/*
 * The sandbox mailbox (sandbox.mail): what lib/notices/transport.ts `sandboxMailboxTransport`
 * stores instead of sending, read by /sandbox/mail and its control routes. Sandbox mode only;
 * nothing in the shop reads it.
 */

/** What the transport hands over (lib/notices/transport.ts `MailboxEntry`), as stored. */
export interface SandboxMailInput {
  messageId: string;
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  raw: string;
  noticeId: string;
}

export type SandboxMailRow = typeof sandboxMail.$inferSelect;
/** A list row: everything but the bodies and the raw message. */
export type SandboxMailSummary = Pick<
  SandboxMailRow,
  "id" | "mailFrom" | "mailTo" | "subject" | "headers" | "noticeId" | "receivedAt"
>;

/**
 * Stores one message: the sandbox transport's `store` (`(entry) => insertSandboxMail(db, entry)`).
 * The row's time is the database's real time (`received_at`), not the shop's virtual clock.
 */
export async function insertSandboxMail(db: Db, entry: SandboxMailInput): Promise<void> {
  await db.insert(sandboxMail).values({
    messageId: entry.messageId,
    mailFrom: entry.from,
    mailTo: entry.to,
    subject: entry.subject,
    html: entry.html === "" ? null : entry.html,
    text: entry.text,
    headers: entry.headers,
    raw: entry.raw,
    noticeId: entry.noticeId || null,
  });
}

/** Recipients are compared without case: `Buyer@Example.com` is `buyer@example.com`. */
const toIs = (to: string) => eq(sql`lower(${sandboxMail.mailTo})`, to.trim().toLowerCase());

export interface SandboxMailPage {
  /** Only messages to this address (case-insensitive). */
  to?: string;
  /** Keyset: only messages older than this id (ids grow with every message stored). */
  before?: number;
  limit: number;
}

/** Messages newest first, a page at a time, without their bodies. */
export async function listSandboxMail(
  db: Db,
  page: SandboxMailPage,
): Promise<SandboxMailSummary[]> {
  return db
    .select({
      id: sandboxMail.id,
      mailFrom: sandboxMail.mailFrom,
      mailTo: sandboxMail.mailTo,
      subject: sandboxMail.subject,
      headers: sandboxMail.headers,
      noticeId: sandboxMail.noticeId,
      receivedAt: sandboxMail.receivedAt,
    })
    .from(sandboxMail)
    .where(
      and(
        page.to ? toIs(page.to) : undefined,
        page.before === undefined ? undefined : lt(sandboxMail.id, page.before),
      ),
    )
    .orderBy(desc(sandboxMail.id))
    .limit(page.limit);
}

/** Messages newest first with their bodies (the control API's answer for tests). */
export async function listSandboxMailFull(
  db: Db,
  page: { to?: string; limit: number },
): Promise<SandboxMailRow[]> {
  return db
    .select()
    .from(sandboxMail)
    .where(page.to ? toIs(page.to) : undefined)
    .orderBy(desc(sandboxMail.id))
    .limit(page.limit);
}

/** How many messages there are (to one address, or in all). */
export async function countSandboxMail(db: Db, to?: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(sandboxMail)
    .where(to ? toIs(to) : undefined);
  return row?.n ?? 0;
}

export async function getSandboxMail(db: Db, id: number): Promise<SandboxMailRow | null> {
  const [row] = await db.select().from(sandboxMail).where(eq(sandboxMail.id, id));
  return row ?? null;
}

/** Empties the mailbox; returns how many messages it held. */
export async function clearSandboxMail(db: Db): Promise<number> {
  const rows = await db.delete(sandboxMail).returning({ id: sandboxMail.id });
  return rows.length;
}
