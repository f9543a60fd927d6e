import "server-only";
import { z } from "zod";
import type { SandboxMailRow } from "@/db/queries/sandbox-mail";
import { AppError } from "@/lib/errors";
import { fieldErrorsOf } from "@/lib/validation";
import { isNoticeKind, type NoticeKind } from "@/lib/notices/kinds";

/*
 * Pieces the sandbox mailbox's pages and routes share (/sandbox/mail, Mailpit-like): reading
 * the URL's id and filter, the notice kind a message names, and the control API's JSON shape.
 */

export const MAILBOX_PATH = "/sandbox/mail";
/** Messages per page of the list, and the control API's default. */
export const PAGE_SIZE = 50;
const MAX_LIMIT = 200;
/** The longest address there is (RFC 5321: 64 + 1 + 255). */
const MAX_ADDRESS = 320;

/** A message id from the URL: digits only, a safe integer; null for anything else. */
export function mailId(value: unknown): number | null {
  if (typeof value !== "string" || !/^[1-9]\d{0,15}$/.test(value)) return null;
  const id = Number(value);
  return Number.isSafeInteger(id) ? id : null;
}

/** The `?to=` filter: trimmed, or undefined when empty or not a plausible address length. */
export function recipientFilter(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const to = value.trim();
  return to === "" || to.length > MAX_ADDRESS ? undefined : to;
}

/** A header's value by name, whatever its case. */
export function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** The notice kind a message names in `X-Xiaopu-Notice` (its first word), if it is one. */
export function noticeKindOf(headers: Record<string, string>): NoticeKind | null {
  const value = headerValue(headers, "X-Xiaopu-Notice")
    ?.trim()
    .split(/[\s;,]/)[0];
  return isNoticeKind(value) ? value : null;
}

const controlQuery = z.strictObject({
  to: z.string().trim().min(1, "to.required").max(MAX_ADDRESS, "to.too_long").optional(),
  limit: z.coerce
    .number()
    .int("limit.invalid")
    .min(1, "limit.invalid")
    .max(MAX_LIMIT, "limit.too_large")
    .optional(),
});

/** The control API's query (`to`, `limit`): 422 with field errors for anything else. */
export function readControlQuery(request: Request): { to?: string; limit: number } {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const parsed = controlQuery.safeParse(params);
  if (!parsed.success) {
    throw new AppError(
      "validation_failed",
      "Some fields are invalid.",
      fieldErrorsOf(parsed.error),
    );
  }
  return { to: parsed.data.to, limit: parsed.data.limit ?? PAGE_SIZE };
}

/** One message as the control API answers it (tests read the bodies from here). */
export function messageJson(row: SandboxMailRow) {
  return {
    id: row.id,
    messageId: row.messageId,
    from: row.mailFrom,
    to: row.mailTo,
    subject: row.subject,
    text: row.text,
    html: row.html,
    headers: row.headers,
    noticeId: row.noticeId,
    kind: noticeKindOf(row.headers),
    receivedAt: row.receivedAt.toISOString(),
  };
}
