// @ts-check
/*
 * The routes server.mjs answers itself, with the handler the route registered when Next loaded
 * it (lib/http/fast-routes.ts says why and how). Here: which requests qualify, and the
 * translation between Node's request/response and the handler's Request/Response.
 *
 * A request qualifies only when its method and whole path match a route's pattern exactly and
 * its handler is registered. The patterns are stricter than Next's matching: no percent-encoded
 * character, no trailing slash, no other method (HEAD included), so nothing Next would decode,
 * redirect or answer otherwise takes this way; the rest is Next's, as before. Every path a
 * pattern takes is one proxy.ts's matcher leaves out (lib/http/fast-routes.test.ts): the route
 * does the proxy's work itself (lib/http/unproxied-route.ts), whichever way it is reached.
 */

/**
 * @typedef {(request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>} FastHandler
 * @typedef {{ name: string, method: string, pattern: RegExp, template: string, params: (match: RegExpExecArray) => Record<string, string> }} FastRoute
 */

/** @type {readonly FastRoute[]} */
export const FAST_ROUTES = [
  {
    // app/api/orders/[orderNo]/status/route.ts; the query string is not read by the route.
    name: "orderStatus",
    method: "GET",
    pattern: /^\/api\/orders\/([A-Za-z0-9]{1,64})\/status(?:\?[^#]*)?$/,
    template: "/api/orders/{orderNo}/status",
    params: (match) => ({ orderNo: /** @type {string} */ (match[1]) }),
  },
  {
    // app/api/webhooks/youzan/route.ts: Youzan's pushes, by the thousand after a sale.
    name: "youzanPush",
    method: "POST",
    pattern: /^\/api\/webhooks\/youzan(?:\?[^#]*)?$/,
    template: "/api/webhooks/youzan",
    params: () => ({}),
  },
];

/**
 * The registered handler and params for a request, or undefined (Next answers it).
 * @param {string | undefined} method
 * @param {string | undefined} url the request target as Node gives it (path and query)
 * @param {ReadonlyMap<string, FastHandler>} registry
 */
export function matchFastRoute(method, url, registry) {
  if (registry.size === 0 || !method || !url) return undefined;
  for (const route of FAST_ROUTES) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(url);
    if (!match) continue;
    const handler = registry.get(route.name);
    return handler ? { route, handler, params: route.params(match) } : undefined;
  }
  return undefined;
}

/**
 * The Request a route handler would get from Next: the absolute URL from the Host header, every
 * header as Node parsed it (repeated ones joined, as Next's adapter does), the body (but for GET)
 * as a stream the handler reads as far as it wants (its own size cap applies, nothing is buffered
 * here). Undefined when the request cannot be one (a Host that makes no URL): Next answers it.
 * @param {import("node:http").IncomingMessage} request
 */
export function webRequestOf(request) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const one of value) headers.append(name, one);
    else headers.set(name, value);
  }
  try {
    const url = new URL(request.url ?? "/", `http://${request.headers.host ?? "localhost"}`);
    const method = request.method ?? "GET";
    if (method === "GET" || method === "HEAD") return new Request(url, { method, headers });
    // The Node stream itself, as Next passes it (undici reads an async iterable): a handler that
    // stops reading past its cap still gets its answer out; through Readable.toWeb the cancel
    // destroyed the socket and the client saw a reset instead of the 413.
    const body = /** @type {ReadableStream<Uint8Array>} */ (/** @type {unknown} */ (request));
    return new Request(url, /** @type {RequestInit} */ ({ method, headers, body, duplex: "half" }));
  } catch {
    return undefined;
  }
}

/**
 * Writes a handler's Response: status, every header (each Set-Cookie apart), the body whole.
 * @param {Response} answer
 * @param {import("node:http").ServerResponse} response
 */
export async function writeWebResponse(answer, response) {
  const body = Buffer.from(await answer.arrayBuffer());
  /** @type {string[]} */
  const head = [];
  for (const [name, value] of answer.headers) {
    if (name === "set-cookie") continue;
    head.push(name, value);
  }
  for (const cookie of answer.headers.getSetCookie()) head.push("set-cookie", cookie);
  if (!answer.headers.has("content-length")) head.push("content-length", String(body.length));
  response.writeHead(answer.status, head);
  response.end(body);
}

/** The answer to a request whose handler threw after it may have read the body. */
const INTERNAL_ERROR = JSON.stringify({
  error: { code: "internal", message: "The server could not answer this request." },
});

/**
 * Answers a request through its fast route; never rejects. Resolves false, having written
 * nothing, when the request cannot be served this way (no URL can be made of it; the handler of a
 * GET failed): the caller hands it to Next, whose answer for it is the route's own.
 * @param {{ handler: FastHandler, params: Record<string, string> }} match
 * @param {import("node:http").IncomingMessage} request
 * @param {import("node:http").ServerResponse} response
 * @param {(error: unknown) => void} [onError]
 * @returns {Promise<boolean>}
 */
export async function serveFast(match, request, response, onError) {
  const webRequest = webRequestOf(request);
  if (!webRequest) return false;
  /** @type {Response} */
  let answer;
  try {
    answer = await match.handler(webRequest, { params: Promise.resolve(match.params) });
  } catch (error) {
    // The shop's handlers turn every error into their JSON answer (lib/http/json.ts's route):
    // reaching here is a bug. A GET is asked again of Next, which answers as it would have; a
    // body may have been read already, so that request gets its 500 here.
    onError?.(error);
    if (webRequest.method === "GET") return false;
    writeInternalError(response);
    return true;
  }
  try {
    await writeWebResponse(answer, response);
  } catch (error) {
    // The answer's body failed as it was read: a 500 if nothing is out yet, else a cut answer.
    onError?.(error);
    if (response.headersSent) response.destroy();
    else writeInternalError(response);
  }
  return true;
}

/** @param {import("node:http").ServerResponse} response */
function writeInternalError(response) {
  response.writeHead(500, {
    "content-type": "application/json",
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(INTERNAL_ERROR),
  });
  response.end(INTERNAL_ERROR);
}
