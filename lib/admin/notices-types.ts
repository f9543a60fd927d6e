import type { NoticeChannel, NoticeKind, NoticeStatus } from "@/db/schema/notices";

/*
 * The outbox as the owner's pages and the JSON API hand it out (plain JSON: instants as ISO
 * strings). Pure types and constants, shared with the client components.
 */

export interface NoticeItem {
  id: string;
  kind: NoticeKind;
  channel: NoticeChannel;
  /** The address, `owner` (the admin's address, resolved when sent) or `dingtalk`. */
  recipient: string;
  status: NoticeStatus;
  attempts: number;
  /** The start of the last error (the detail: all of it). */
  lastError: string | null;
  skipReason: string | null;
  subject: string | null;
  userId: string | null;
  createdAt: string;
  sentAt: string | null;
  nextAttemptAt: string;
}

/** Why a notice cannot be sent again (null: it can). */
export type ResendRefusal = "password_reset" | "not_resendable" | null;

export interface NoticeDetail extends NoticeItem {
  eventKey: string;
  locale: string;
  /** The template's facts, every sealed value and secret shown as "•••". */
  data: unknown;
  messageId: string | null;
  claimedUntil: string | null;
  updatedAt: string;
  resendRefusal: ResendRefusal;
}

/** What POST /api/admin/notices/{id}/resend answers (200). */
export interface ResendAnswer {
  status: "resent";
  before: { status: NoticeStatus; attempts: number };
  notice: NoticeItem;
}

/** One row of the settings page: a kind, whom it goes to, and whether it is on. */
export interface NoticeSwitchRow {
  kind: NoticeKind;
  audience: "buyer" | "owner";
  switchable: boolean;
  /** A buyer may leave it by the one-click link (renewal reminders). */
  category: "reminders" | null;
  enabled: boolean;
}

/** The mask for sealed values and secrets in a notice's data. */
export const MASK = "•••";
