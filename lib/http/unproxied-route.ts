import "server-only";
import { databaseGate } from "@/db/availability";
import { methodsNotAllowed, route } from "@/lib/http/json";
import { newNonce, securityHeaders } from "@/lib/http/security-headers";
import { securityMode } from "@/lib/http/security-mode";
import { unavailableResponse } from "@/lib/http/unavailable";

/*
 * Routes proxy.ts does not run for (its `config.matcher` leaves their paths out) do its work
 * themselves through this wrapper: the database gate (503 with Retry-After while the database
 * cannot serve) and the security headers. Two kinds of route are left out of the proxy:
 *
 * - the uploads (/api/admin/uploads/): Next clones and buffers the body of every request its
 *   proxy sees, cut at 10 MB (`experimental.proxyClientMaxBodySize`), so an upload through the
 *   proxy would arrive truncated and whole in memory;
 * - the routes answered by the thousand, by machines or by polling: the providers' webhooks,
 *   the checkout's status poll and /api/health. Running the proxy costs Next ~1 ms of CPU a
 *   request here, as much again as a trivial route (docs/PERFORMANCE.md, "The proxy's cost").
 *
 * What the proxy does besides is not needed on these paths: their matcher patterns take no
 * percent sign (a path that is not valid percent-encoding still meets the proxy), they read
 * nothing from the query, they are API routes (no page, no nonce for scripts), and none takes
 * multipart bodies. `UNPROXIED_ROUTES` lists them; proxy.test.ts holds the matcher to it.
 */

type Handler<C> = (request: Request, context: C) => Promise<Response>;

/** Every route file that uses this wrapper, as an example path the matcher must leave out. */
export const UNPROXIED_ROUTES = {
  "app/api/health/route.ts": "/api/health",
  "app/api/orders/[orderNo]/status/route.ts": "/api/orders/XP2026120312345678ABCDEFGHJK/status",
  "app/api/webhooks/youzan/route.ts": "/api/webhooks/youzan",
  "app/api/webhooks/alipay/gateway/route.ts": "/api/webhooks/alipay/gateway",
  "app/api/webhooks/alipay/agreement/route.ts": "/api/webhooks/alipay/agreement",
  "app/api/webhooks/alipay/trade/route.ts": "/api/webhooks/alipay/trade",
  "app/api/admin/uploads/files/[id]/route.ts": "/api/admin/uploads/files/fil_1",
  "app/api/admin/uploads/members/route.ts": "/api/admin/uploads/members",
  "app/api/admin/uploads/products/[id]/route.ts": "/api/admin/uploads/products/prd_1",
} as const;

/**
 * The proxy's security headers, and `no-store` on any answer that says nothing of caching (the
 * JSON errors): these routes answer per request (a session, a signature), so nothing between the
 * client and the shop may keep an answer.
 */
function withSecurityHeaders(response: Response, nonce: string): Response {
  const headers = securityHeaders({ nonce, ...securityMode() });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  if (!response.headers.has("cache-control")) response.headers.set("cache-control", "no-store");
  return response;
}

export interface UnproxiedOptions {
  /** Answer 503 while the database cannot serve (default); /api/health answers for itself. */
  gate?: boolean;
}

/** `route(handler)` with the proxy's database gate and security headers. */
export function unproxiedRoute<C>(
  handler: Handler<C>,
  { gate = true }: UnproxiedOptions = {},
): Handler<C> {
  const wrapped = route(handler);
  return async (request, context) => {
    const nonce = newNonce();
    const response =
      !gate || (await databaseGate().available())
        ? await wrapped(request, context)
        : unavailableResponse(request, nonce);
    return withSecurityHeaders(response, nonce);
  };
}

/** `methodsNotAllowed` with the security headers the proxy would have set. */
export function unproxiedMethodsNotAllowed(
  allowed: Parameters<typeof methodsNotAllowed>[0],
): ReturnType<typeof methodsNotAllowed> {
  const refusals = methodsNotAllowed(allowed);
  const refuse = () => withSecurityHeaders(refusals.GET(), newNonce());
  return { GET: refuse, POST: refuse, PUT: refuse, PATCH: refuse, DELETE: refuse };
}
