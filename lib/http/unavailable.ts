import en from "@/messages/en.json";
import zhCN from "@/messages/zh-CN.json";
import { LOCALE_COOKIE, toLocale } from "@/i18n/locales";
import { RETRY_AFTER_SECONDS, UNAVAILABLE } from "./unavailable-body";

/**
 * What proxy.ts answers while the database cannot serve: 503 with Retry-After, as JSON for API
 * routes, server actions and scripts, and as a small page in the visitor's language for a
 * browser, which reloads itself after Retry-After (a buyer on the checkout page lands back on it
 * when the shop is back). Self-contained: no Next rendering, no database, no scripts.
 */
export function unavailableResponse(request: Request, nonce: string): Response {
  const headers = { "retry-after": String(RETRY_AFTER_SECONDS), "cache-control": "no-store" };
  if (!wantsHtml(request)) return Response.json(UNAVAILABLE, { status: 503, headers });
  return new Response(unavailablePage(localeOf(request), nonce), {
    status: 503,
    headers: { ...headers, "content-type": "text/html; charset=utf-8" },
  });
}

/** A browser navigating to a document (not a fetch, an RSC request or a server action). */
function wantsHtml(request: Request): boolean {
  if (request.method !== "GET" && request.method !== "HEAD") return false;
  if (request.headers.has("rsc") || request.headers.has("next-action")) return false;
  if (new URL(request.url).pathname.startsWith("/api/")) return false;
  return (request.headers.get("accept") ?? "").includes("text/html");
}

function localeOf(request: Request): "zh-CN" | "en" {
  const cookie = request.headers.get("cookie") ?? "";
  const match = new RegExp(`(?:^|;\\s*)${LOCALE_COOKIE}=([^;]*)`).exec(cookie);
  return toLocale(match?.[1]);
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

export function unavailablePage(locale: "zh-CN" | "en", nonce: string): string {
  const t = (locale === "en" ? en : zhCN).unavailable;
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${RETRY_AFTER_SECONDS}">
<meta name="robots" content="noindex">
<title>${escapeHtml(t.meta)}</title>
<style nonce="${escapeHtml(nonce)}">
body{margin:0;font-family:system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;background:#fafaf9;color:#1c1917}
main{max-width:28rem;margin:0 auto;padding:4rem 1.5rem;text-align:center}
h1{font-size:1.5rem;margin:0 0 1rem}
p{color:#57534e;line-height:1.6;margin:0 0 1.5rem}
a{display:inline-block;padding:.75rem 1.5rem;border-radius:.5rem;background:#1c1917;color:#fff;text-decoration:none}
</style>
</head>
<body>
<main>
<h1>${escapeHtml(t.title)}</h1>
<p>${escapeHtml(t.body)}</p>
<a href="">${escapeHtml(t.retry)}</a>
</main>
</body>
</html>
`;
}
