import { NOTICE_KINDS, type NoticeKind } from "@/db/schema/notices";

export { NOTICE_KINDS, type NoticeKind };

/**
 * What each kind of notice is: who it is for, whether the owner may switch it off, and which
 * category a buyer may leave by the one-click link. Receipts and the like are never
 * unsubscribable (a buyer must get proof of payment); a password reset is never switchable (the
 * owner would lock buyers out).
 */
export interface NoticeKindInfo {
  audience: "buyer" | "owner";
  /** The owner's switch applies (admin → notices). */
  switchable: boolean;
  /** A buyer may unsubscribe from this category (only renewal reminders). */
  category: "reminders" | null;
}

export const NOTICE_KIND_INFO: Record<NoticeKind, NoticeKindInfo> = {
  receipt: { audience: "buyer", switchable: true, category: null },
  membership_started: { audience: "buyer", switchable: true, category: null },
  renewal_reminder: { audience: "buyer", switchable: true, category: "reminders" },
  renewal_succeeded: { audience: "buyer", switchable: true, category: null },
  renewal_failed: { audience: "buyer", switchable: true, category: null },
  membership_lapsed: { audience: "buyer", switchable: true, category: null },
  auto_renew_cancelled: { audience: "buyer", switchable: true, category: null },
  refund: { audience: "buyer", switchable: true, category: null },
  password_reset: { audience: "buyer", switchable: false, category: null },
  owner_new_order: { audience: "owner", switchable: true, category: null },
  owner_digest: { audience: "owner", switchable: true, category: null },
};

export const UNSUBSCRIBE_CATEGORIES = ["reminders"] as const;
export type UnsubscribeCategory = (typeof UNSUBSCRIBE_CATEGORIES)[number];

export function isNoticeKind(value: unknown): value is NoticeKind {
  return typeof value === "string" && (NOTICE_KINDS as readonly string[]).includes(value);
}
