import "server-only";
import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { createdAt, insertedAt, tstz, updatedAt } from "./shop-time";
import { users } from "./users";

/*
 * Notices (issue #13): a transactional outbox. A notice row is written in the same transaction
 * as the state change it tells about (an order paid, a renewal declined, an agreement closed…),
 * so a change is never committed without its notice nor a notice sent for a change that rolled
 * back. `notices_event_recipient_kind_uq` makes every writer idempotent: settling an order three
 * times over (poll, push, reconcile) or a billing run retried writes one row, and a row is sent
 * at most once by the job (lib/notices/send.ts) that claims it with a lease.
 */

/** Every kind of notice; the CHECK and lib/notices/kinds.ts hold the same list. */
export const NOTICE_KINDS = [
  "receipt",
  "membership_started",
  "renewal_reminder",
  "renewal_succeeded",
  "renewal_failed",
  "membership_lapsed",
  "auto_renew_cancelled",
  "refund",
  "password_reset",
  "owner_new_order",
  "owner_digest",
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export const NOTICE_STATUSES = ["pending", "sent", "dead", "skipped"] as const;
export type NoticeStatus = (typeof NOTICE_STATUSES)[number];

export const NOTICE_CHANNELS = ["email", "dingtalk"] as const;
export type NoticeChannel = (typeof NOTICE_CHANNELS)[number];

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(", "));

export const notices = pgTable(
  "notices",
  {
    id: text("id").primaryKey(),
    kind: text("kind").$type<NoticeKind>().notNull(),
    channel: text("channel").$type<NoticeChannel>().notNull().default("email"),
    /** What happened, e.g. `order:ord_…`, `agreement:agr_…:period:3`, `digest:2026-12-01`. */
    eventKey: text("event_key").notNull(),
    /** The address (lower-cased) for email; `dingtalk` for the owner's robot. */
    recipient: text("recipient").notNull(),
    /** The buyer the notice is about or for (null for the owner's). */
    userId: text("user_id").references(() => users.id),
    /** The language it is written in (`zh-CN` or `en`), the buyer's at the time of the event. */
    locale: text("locale").notNull().default("zh-CN"),
    /** Ids and facts the template needs (never a secret in clear; see password resets). */
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
    status: text("status").$type<NoticeStatus>().notNull().default("pending"),
    /** Send attempts that failed so far. */
    attempts: integer("attempts").notNull().default(0),
    /** Not to be tried before this instant (back-off after a failure). */
    nextAttemptAt: insertedAt("next_attempt_at"),
    /** A sender holds the row until then; another sender skips it meanwhile. */
    claimedUntil: tstz("claimed_until"),
    lastError: text("last_error"),
    /** Why a notice was not sent (`disabled`, `unsubscribed`, `stale`, `no_transport`…). */
    skipReason: text("skip_reason"),
    /** The subject as sent (the admin's list shows it). */
    subject: text("subject"),
    /** The SMTP Message-ID, when sent by email. */
    messageId: text("message_id"),
    sentAt: tstz("sent_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("notices_event_recipient_kind_uq").on(t.eventKey, t.recipient, t.kind),
    // The sender's claim: due pending rows, oldest first.
    index("notices_due_idx")
      .on(t.nextAttemptAt)
      .where(sql`${t.status} = 'pending'`),
    // The admin's outbox, newest first (keyset pages on (created_at, id)).
    index("notices_created_idx").on(t.createdAt, t.id),
    index("notices_user_idx").on(t.userId, t.createdAt),
    check("notices_kind", sql`${t.kind} in (${inList(NOTICE_KINDS)})`),
    check("notices_status", sql`${t.status} in (${inList(NOTICE_STATUSES)})`),
    check("notices_channel", sql`${t.channel} in (${inList(NOTICE_CHANNELS)})`),
    check("notices_locale", sql`${t.locale} in ('zh-CN', 'en')`),
    check("notices_attempts", sql`${t.attempts} >= 0`),
    check("notices_sent_at", sql`(${t.status} = 'sent') = (${t.sentAt} is not null)`),
  ],
);

/** The owner's switches: a kind without a row is on. */
export const noticeSettings = pgTable("notice_settings", {
  kind: text("kind").$type<NoticeKind>().primaryKey(),
  enabled: boolean("enabled").notNull(),
  updatedBy: text("updated_by").references(() => users.id),
  updatedAt: updatedAt(),
});

/** A buyer who left a category of notices by the one-click link (only `reminders` exists). */
export const noticeUnsubscribes = pgTable(
  "notice_unsubscribes",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    category: text("category").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: "notice_unsubscribes_pk", columns: [t.userId, t.category] }),
    check("notice_unsubscribes_category", sql`${t.category} in ('reminders')`),
  ],
);

/**
 * Password reset tokens: only the SHA-256 of the token is stored; 30 minutes, one use, and a
 * newer token for the same account revokes the older ones.
 */
export const passwordResetTokens = pgTable(
  "password_reset_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    tokenHash: text("token_hash").notNull(),
    expiresAt: tstz("expires_at").notNull(),
    usedAt: tstz("used_at"),
    revokedAt: tstz("revoked_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("password_reset_tokens_hash_uq").on(t.tokenHash),
    index("password_reset_tokens_user_idx").on(t.userId, t.createdAt),
    check("password_reset_tokens_hash_hex", sql`${t.tokenHash} ~ '^[0-9a-f]{64}$'`),
    // At most one token of an account is usable: a newer one revokes the rest.
    uniqueIndex("password_reset_tokens_one_live_uq")
      .on(t.userId)
      .where(sql`${t.usedAt} is null and ${t.revokedAt} is null`),
  ],
);

export type Notice = typeof notices.$inferSelect;
export type NewNotice = typeof notices.$inferInsert;
export type PasswordResetToken = typeof passwordResetTokens.$inferSelect;
