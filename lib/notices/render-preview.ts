/*
 * How a rendered mail's HTML part is shown in the browser: the sandbox mailbox's viewer
 * (app/sandbox/mail/[id]) frames it from /sandbox/mail/<id>/html. Pure; imported by that route
 * and by proxy.ts, which sets these headers on that one path instead of the shop's own.
 */

/**
 * The policy of a previewed mail: nothing loads or runs but inline styles and data:/https images
 * (what lib/notices/render-html.ts writes), and only a page of this origin may frame it — the
 * rest of the shop stays `frame-ancestors 'none'` (lib/http/security-headers.ts).
 */
export const MAIL_PREVIEW_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data: https:; frame-ancestors 'self'";

/** Set by proxy.ts on the preview path and by the route itself (its answers tested alone). */
export const MAIL_PREVIEW_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": MAIL_PREVIEW_CSP,
  // For browsers that predate frame-ancestors.
  "X-Frame-Options": "SAMEORIGIN",
};

/**
 * The stored HTML with `<base target="_blank">` first in its head: every link of the mail opens
 * in a new tab. Inside the viewer's sandboxed frame a link followed in place would load a shop
 * page into the frame, which the shop's `frame-ancestors 'none'` refuses.
 */
export function previewHtml(html: string): string {
  const base = '<base target="_blank">';
  // After <head>, else after the doctype (before it the page would render in quirks mode).
  const mark = /<head(\s[^>]*)?>/i.exec(html) ?? /^\s*<!doctype[^>]*>/i.exec(html);
  if (!mark) return `${base}\n${html}`;
  const at = mark.index + mark[0].length;
  return `${html.slice(0, at)}\n${base}${html.slice(at)}`;
}
