import "server-only";
import type { BrokenResponse } from "./types";

/*
 * Answers that are not Youzan envelopes at all: what the edge in front of the gateway sends
 * (spec §2.1 301 for `http://`, §6.4.3 HTTP 5xx, empty and non-JSON bodies). Clients must treat
 * each as "unavailable", never parse them as a result.
 */

const HTML = "text/html; charset=utf-8";

/** The live edge redirects plain HTTP to HTTPS, query string included. */
export function httpsRedirect(url: URL): Response {
  const target = new URL(url);
  target.protocol = "https:";
  return new Response("<html><body><h1>301 Moved Permanently</h1></body></html>", {
    status: 301,
    headers: { location: target.toString(), "content-type": HTML },
  });
}

const STATUS_PAGES: Record<"http500" | "http502" | "http503", [number, string]> = {
  http500: [500, "500 Internal Server Error"],
  http502: [502, "502 Bad Gateway"],
  http503: [503, "503 Service Temporarily Unavailable"],
};

export function brokenResponse(kind: BrokenResponse): Response {
  switch (kind) {
    case "empty":
      // "response invalid, data: " (SSRPanel #590): a 200 that says JSON and carries nothing.
      return new Response("", { status: 200, headers: { "content-type": "application/json" } });
    case "nonJson":
      return new Response("<html><body>系统繁忙，请稍后再试</body></html>", {
        status: 200,
        headers: { "content-type": HTML },
      });
    default: {
      const [status, title] = STATUS_PAGES[kind];
      return new Response(`<html><body><h1>${title}</h1></body></html>`, {
        status,
        headers: { "content-type": HTML },
      });
    }
  }
}
