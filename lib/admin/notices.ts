import "server-only";
import { z } from "zod";
import type { Db } from "@/db/client";
import {
  countNoticesByStatus,
  findNotice,
  listAdminNotices,
  NEVER_RESENT,
  requeueNotice,
  RESENDABLE,
  type AdminNoticeListRow,
} from "@/db/queries/admin-notices";
import { insertAudit } from "@/db/queries/audit";
import { noticeSwitches, setNoticeSwitch } from "@/db/queries/notice-settings";
import {
  NOTICE_CHANNELS,
  NOTICE_KINDS,
  NOTICE_STATUSES,
  type Notice,
  type NoticeKind,
  type NoticeStatus,
} from "@/db/schema/notices";
import {
  dayParam,
  decodeCursor,
  encodeCursor,
  limitParam,
  type AdminPage,
} from "@/lib/admin/query";
import { isSecretKey } from "@/lib/admin/redact";
import { addDays, startOfShanghaiDate } from "@/lib/clock";
import { AppError } from "@/lib/errors";
import { NOTICE_KIND_INFO } from "@/lib/notices/kinds";
import {
  MASK,
  type NoticeDetail,
  type NoticeItem,
  type NoticeSwitchRow,
  type ResendAnswer,
  type ResendRefusal,
} from "./notices-types";

/*
 * The owner's outbox (issue #13): the list's query (one schema for /admin/notices and
 * `GET /api/admin/notices`), its pages, one notice with its data masked, "send again", and the
 * switches. Days are Asia/Shanghai calendar days, both included.
 */

export const noticeListQuery = z
  .object({
    status: z.enum(NOTICE_STATUSES).optional(),
    kind: z.enum(NOTICE_KINDS).optional(),
    channel: z.enum(NOTICE_CHANNELS).optional(),
    /** The beginning of the recipient's address (or `owner`, `dingtalk`). */
    recipient: z.string().trim().max(254, "too_long").optional(),
    from: dayParam.optional(),
    to: dayParam.optional(),
    cursor: z.string().max(400, "too_long").optional(),
    limit: limitParam,
  })
  .refine((query) => !query.from || !query.to || query.from <= query.to, {
    message: "date.range",
    path: ["to"],
  });
export type NoticeListQuery = z.infer<typeof noticeListQuery>;

/** The filters a list link carries (the page's URL, the API's query string), all optional. */
export type NoticeFilters = Partial<
  Record<"status" | "kind" | "channel" | "recipient" | "from" | "to", string>
>;

const cursorKey = z.tuple([
  z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
  z.string().regex(/^ntc_[0-9a-z]{1,40}$/),
]);

function toItem(row: AdminNoticeListRow | Notice): NoticeItem {
  return {
    id: row.id,
    kind: row.kind,
    channel: row.channel,
    recipient: row.recipient,
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError,
    skipReason: row.skipReason,
    subject: row.subject,
    userId: row.userId,
    createdAt: row.createdAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
    nextAttemptAt: row.nextAttemptAt.toISOString(),
  };
}

/** A page of the outbox, newest first; a forged cursor is a 400 (AppError). */
export async function noticesPage(db: Db, query: NoticeListQuery): Promise<AdminPage<NoticeItem>> {
  const after = query.cursor ? decodeCursor(query.cursor, cursorKey) : undefined;
  const { rows, hasMore } = await listAdminNotices(db, {
    status: query.status,
    kind: query.kind,
    channel: query.channel,
    recipient: query.recipient || undefined,
    from: query.from ? startOfShanghaiDate(query.from) : undefined,
    to: query.to ? startOfShanghaiDate(addDays(query.to, 1)) : undefined,
    after: after ? { at: after[0], id: after[1] } : undefined,
    limit: query.limit,
  });
  const last = rows.at(-1);
  return {
    items: rows.map(toItem),
    nextCursor: hasMore && last ? encodeCursor([last.sortKey, last.id]) : null,
  };
}

export { countNoticesByStatus };

const MAX_DEPTH = 20;

/**
 * A notice's data as the owner may see it: a sealed value (a password reset's token until its
 * mail is sent) and anything named like a secret become "•••", at any depth.
 */
export function maskNoticeData(value: unknown, key: string | null = null, depth = 0): unknown {
  if (key !== null && (/sealed/i.test(key) || isSecretKey(key)) && value !== null) return MASK;
  if (depth > MAX_DEPTH) return MASK;
  if (Array.isArray(value)) return value.map((item) => maskNoticeData(item, null, depth + 1));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, maskNoticeData(v, k, depth + 1)]),
    );
  }
  return value;
}

export function resendRefusal(row: Pick<Notice, "kind" | "status">): ResendRefusal {
  if (NEVER_RESENT.includes(row.kind)) return "password_reset";
  if (!RESENDABLE.includes(row.status)) return "not_resendable";
  return null;
}

const NOTICE_ID = /^ntc_[0-9a-z]{1,40}$/;

export async function noticeDetail(db: Db, id: string): Promise<NoticeDetail | null> {
  if (!NOTICE_ID.test(id)) return null;
  const row = await findNotice(db, id);
  if (!row) return null;
  return {
    ...toItem(row),
    lastError: row.lastError,
    eventKey: row.eventKey,
    locale: row.locale,
    data: maskNoticeData(row.data),
    messageId: row.messageId,
    claimedUntil: row.claimedUntil?.toISOString() ?? null,
    updatedAt: row.updatedAt.toISOString(),
    resendRefusal: resendRefusal(row),
  };
}

export const resendBody = z.strictObject({
  /** The confirmation the page asked for. */
  confirm: z.literal("resend"),
  /** The status the page showed: a page left open while the notice changed is refused. */
  expectedStatus: z.enum(NOTICE_STATUSES).optional(),
});

/**
 * "Send again": the notice back in the queue (pending, due now, attempts and error cleared) and
 * `notice.resend` audited with the status before, in one transaction. Only dead, skipped or sent
 * notices, never a password reset; conditional on the status read, so of two clicks one resends
 * and the other is told the notice changed (409). The sender delivers it on its next pass.
 */
export async function resendNotice(
  db: Db,
  adminId: string,
  id: string,
  expectedStatus?: NoticeStatus,
): Promise<ResendAnswer> {
  const found = NOTICE_ID.test(id) ? await findNotice(db, id) : undefined;
  if (!found) throw new AppError("not_found", "No such notice.");
  const refusal = resendRefusal(found);
  if (refusal === "password_reset") {
    throw new AppError(
      "conflict",
      "A password reset is never sent again: its link is gone. The buyer asks for a new one.",
      { notice: ["notice.password_reset"] },
    );
  }
  if (refusal === "not_resendable" || (expectedStatus && expectedStatus !== found.status)) {
    throw new AppError("conflict", `The notice is ${found.status} now: nothing was resent.`, {
      notice: ["notice.changed"],
    });
  }
  const before = { status: found.status, attempts: found.attempts };
  const row = await db.transaction(async (tx) => {
    const requeued = await requeueNotice(tx, id, found.status);
    if (!requeued) return undefined;
    await insertAudit(tx, {
      actorKind: "user",
      actorUserId: adminId,
      action: "notice.resend",
      targetType: "notice",
      targetId: id,
      details: {
        kind: found.kind,
        channel: found.channel,
        before: {
          ...before,
          skipReason: found.skipReason,
          lastError: found.lastError?.slice(0, 300) ?? null,
          sentAt: found.sentAt?.toISOString() ?? null,
        },
        after: { status: requeued.status, attempts: requeued.attempts },
      },
    });
    return requeued;
  });
  // Changed between the read and the update (another click, the sender): resent once already.
  if (!row) {
    throw new AppError("conflict", "The notice changed meanwhile: nothing was resent.", {
      notice: ["notice.changed"],
    });
  }
  return { status: "resent", before, notice: toItem(row) };
}

/** Every kind in the order of NOTICE_KINDS, with whom it goes to and whether it is on. */
export async function noticeSwitchRows(db: Db): Promise<NoticeSwitchRow[]> {
  const switches = await noticeSwitches(db);
  return NOTICE_KINDS.map((kind) => ({
    kind,
    audience: NOTICE_KIND_INFO[kind].audience,
    switchable: NOTICE_KIND_INFO[kind].switchable,
    category: NOTICE_KIND_INFO[kind].category,
    enabled: switches[kind],
  }));
}

export const switchBody = z.strictObject({
  kind: z.enum(NOTICE_KINDS),
  enabled: z.boolean(),
});

/** One switch saved and audited (`notice.switch`); a kind that cannot be switched is a 422. */
export async function saveNoticeSwitch(
  db: Db,
  adminId: string,
  kind: NoticeKind,
  enabled: boolean,
): Promise<{ kind: NoticeKind; enabled: boolean; before: boolean }> {
  if (!NOTICE_KIND_INFO[kind].switchable) {
    throw new AppError("validation_failed", "This notice is always sent.", {
      kind: ["notice.not_switchable"],
    });
  }
  const result = await setNoticeSwitch(db, kind, enabled, adminId);
  if (!result.ok) {
    throw new AppError("validation_failed", "This notice is always sent.", {
      kind: ["notice.not_switchable"],
    });
  }
  return { kind, enabled: result.after, before: result.before };
}
