import { safeCallbackPath } from "./schemas";

const CALLBACK_PARAM = "callbackUrl";
/** next-auth's callback cookie, with and without the prefix it uses on https. */
const CALLBACK_COOKIES = ["authjs.callback-url", "__Secure-authjs.callback-url"];

const isSafe = (value: string) => value !== "" && safeCallbackPath(value, "") === value;

/**
 * The request next-auth may see: a `callbackUrl` in the query, the form or JSON body, or the
 * callback cookie that is not a same-site path (`safeCallbackPath`) is removed, so next-auth
 * falls back to its default (the site's root). Everything else is passed on unchanged.
 */
export async function sanitizeAuthRequest(request: Request): Promise<Request> {
  const url = new URL(request.url);
  const query = url.searchParams.get(CALLBACK_PARAM);
  if (query !== null && !isSafe(query)) url.searchParams.delete(CALLBACK_PARAM);

  const headers = new Headers(request.headers);
  const cookie = headers.get("cookie");
  if (cookie) headers.set("cookie", sanitizeCookieHeader(cookie));

  let body: string | undefined;
  if (request.method === "POST") {
    body = await request.text();
    const contentType = headers.get("content-type") ?? "";
    if (contentType.includes("application/x-www-form-urlencoded")) {
      const form = new URLSearchParams(body);
      const value = form.get(CALLBACK_PARAM);
      if (value !== null && !isSafe(value)) {
        form.delete(CALLBACK_PARAM);
        body = form.toString();
      }
    } else if (contentType.includes("application/json")) {
      body = sanitizeJsonBody(body);
    }
  }
  return new Request(url, { method: request.method, headers, body });
}

function sanitizeCookieHeader(header: string): string {
  return header
    .split(";")
    .filter((part) => {
      const eq = part.indexOf("=");
      if (eq < 0) return true;
      const name = part.slice(0, eq).trim();
      if (!CALLBACK_COOKIES.includes(name)) return true;
      let value: string;
      try {
        value = decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return false;
      }
      return isSafe(value);
    })
    .join(";");
}

function sanitizeJsonBody(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body; // next-auth answers malformed JSON itself
  }
  if (typeof parsed !== "object" || parsed === null || !(CALLBACK_PARAM in parsed)) return body;
  const record = parsed as Record<string, unknown>;
  const value = record[CALLBACK_PARAM];
  if (typeof value === "string" && isSafe(value)) return body;
  delete record[CALLBACK_PARAM];
  return JSON.stringify(record);
}
