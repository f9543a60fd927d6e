/*
 * The stamp's words and its size limit, apart from the stamping itself (pdf-stamp.ts): the
 * download route needs these in the server's main thread, while pdf-lib and fontkit (some 3 MB
 * of code) are needed only in the stamping worker (stamp-worker.ts). Importing them from
 * pdf-stamp.ts put pdf-lib in every route that reached the download code.
 */

/** pdf-lib holds the whole document in memory while stamping: bigger PDFs are served unstamped. */
export const STAMP_MAX_BYTES = 64 * 1024 * 1024;

/** The stamp's fixed words; the shipped font must draw each character (font.test.ts). */
export const STAMP_WORDS = {
  before: "仅供",
  after: "个人使用",
  separator: "·",
  order: "订单号",
} as const;

/** `仅供 <email> 个人使用 · 订单号 <orderNo>`; without an order (members' area), the first part. */
export function stampLine({ email, orderNo }: { email: string; orderNo?: string | null }): string {
  const { before, after, separator, order } = STAMP_WORDS;
  const who = `${before} ${email} ${after}`;
  return orderNo ? `${who} ${separator} ${order} ${orderNo}` : who;
}
