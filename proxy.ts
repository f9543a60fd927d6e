import { NextResponse, type NextRequest } from "next/server";

import { databaseGate } from "@/db/availability";
import { PATH_HEADER } from "@/lib/http/request-path";
import { securityMode } from "@/lib/http/security-mode";
import { newNonce, securityHeaders, type SecurityHeaders } from "@/lib/http/security-headers";
import { unavailableResponse } from "@/lib/http/unavailable";
import { MAIL_PREVIEW_CSP, MAIL_PREVIEW_HEADERS } from "@/lib/notices/render-preview";

/**
 * Runs before every page and route: refuses URLs whose path is not valid percent-encoding or
 * holds a NUL character, and multipart bodies that cannot be parsed (Next would answer both with a 500), passes the requested path on to server components, and
 * sets the security headers (lib/http/security-headers.ts) on every answer. The CSP also goes on
 * the request: Next reads the nonce from it and puts it on its own scripts.
 * While the database cannot serve (db/availability.ts) every page and route answers 503 with
 * Retry-After from here, within the probe's deadline; /api/health answers for itself.
 * No auth decisions here: every page, action and route checks the role itself.
 */
export async function proxy(request: NextRequest) {
  const nonce = newNonce();
  const { pathname, search } = request.nextUrl;
  const security = headersFor(pathname, nonce);
  const refuse = (status: number, code: string, message: string, headers?: HeadersInit) =>
    withHeaders(NextResponse.json({ error: { code, message } }, { status, headers }), security);
  const urlProblem = problemOfUrl(pathname, request.nextUrl.searchParams);
  if (urlProblem) return refuse(400, "bad_request", urlProblem);
  if (!pathname.startsWith("/api/") && !PAGE_METHODS.includes(request.method)) {
    const allowed = PAGE_METHODS.join(", ");
    return refuse(
      405,
      "method_not_allowed",
      `${request.method.slice(0, 20)} is not answered here; pages take ${allowed}.`,
      { Allow: allowed },
    );
  }
  if (await unreadableMultipart(request)) {
    return refuse(400, "bad_request", "The multipart/form-data body cannot be read.");
  }
  if (pathname !== HEALTH_PATH && !(await databaseGate().available())) {
    return withHeaders(unavailableResponse(request, nonce), security);
  }
  const headers = new Headers(request.headers);
  headers.set(PATH_HEADER, `${pathname}${search}`);
  headers.set("Content-Security-Policy", security["Content-Security-Policy"]);
  return withHeaders(NextResponse.next({ request: { headers } }), security);
}

const HEALTH_PATH = "/api/health";

/**
 * What pages (and the few route handlers outside /api/, the sandbox's) answer: reading, and the
 * POST of a form or a server action. Next renders a page for any method, so a PUT or a DELETE
 * got the page's HTML with 200; the proxy answers 405 instead. /api/ routes answer for
 * themselves (Next's 405 for a method a route does not export).
 */
const PAGE_METHODS = ["GET", "HEAD", "POST"];

/**
 * What is wrong with a URL no page or route can take: a path that is not valid percent-encoding
 * (Next answers 500), or a NUL character in the path or the query (PostgreSQL refuses it in a
 * text parameter: a 500 from whichever query it reached).
 */
function problemOfUrl(pathname: string, search: URLSearchParams): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return "The URL is not validly encoded.";
  }
  if (decoded.includes("\0")) return "The URL contains a NUL character.";
  for (const [key, value] of search) {
    if (key.includes("\0") || value.includes("\0")) return "The query contains a NUL character.";
  }
  return undefined;
}

/**
 * A POST of multipart/form-data whose body is not multipart: Next takes such a POST to a page
 * (or to a path it answers with the not-found page) for a no-JavaScript server action form and
 * fails parsing it with a 500. The body is already buffered for the proxy (see `config`).
 */
async function unreadableMultipart(request: NextRequest): Promise<boolean> {
  if (request.method !== "POST") return false;
  const type = request.headers.get("content-type") ?? "";
  if (!/^\s*multipart\/form-data/i.test(type)) return false;
  try {
    await request.clone().formData();
    return false;
  } catch {
    return true;
  }
}

/**
 * The sandbox mailbox's HTML part of a message, which its viewer (/sandbox/mail/<id>) frames.
 * Next keeps the headers set here over a route's own, so this one path gets the preview policy
 * (lib/notices/render-preview.ts: stricter than the shop's, but framed by this origin) — in
 * sandbox mode only; every other path keeps `frame-ancestors 'none'` and X-Frame-Options DENY.
 */
const MAIL_PREVIEW_PATH = /^\/sandbox\/mail\/\d+\/html$/;

function headersFor(pathname: string, nonce: string): SecurityHeaders {
  const options = securityMode();
  const security = securityHeaders({ nonce, ...options });
  if (options.live || !MAIL_PREVIEW_PATH.test(pathname)) return security;
  return { ...security, ...MAIL_PREVIEW_HEADERS, "Content-Security-Policy": MAIL_PREVIEW_CSP };
}

function withHeaders<R extends Response>(response: R, headers: Record<string, string>): R {
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

/*
 * Not for the routes of lib/http/unproxied-route.ts (`UNPROXIED_ROUTES`), which do the database
 * gate and the security headers themselves: /api/admin/uploads/ (Next clones and buffers the
 * body of every request the proxy runs for, cut at 10 MB), and the routes answered by the
 * thousand — /api/health, the providers' webhooks, the status poll — for which running the proxy
 * costs Next as much CPU again as the route. Their patterns end the path and take no `%`: a
 * path that is not valid percent-encoding still meets the proxy. proxy.test.ts checks the list.
 */
export const config = {
  matcher: [
    "/((?!_next/static|_next/image|favicon.ico|api/admin/uploads/|api/health$|api/webhooks/youzan$|api/webhooks/alipay/(?:gateway|agreement|trade)$|api/orders/[A-Za-z0-9]+/status$).*)",
  ],
};
