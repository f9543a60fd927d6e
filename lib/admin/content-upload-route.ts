import "server-only";
import { databaseGate } from "@/db/availability";
import { getEnv } from "@/lib/env";
import { route } from "@/lib/http/json";
import { newNonce, securityHeaders } from "@/lib/http/security-headers";
import { unavailableResponse } from "@/lib/http/unavailable";

/*
 * The upload routes live under /api/admin/uploads/, which proxy.ts does not run for: Next
 * clones and buffers the body of every request its proxy sees, cut at 10 MB
 * (`experimental.proxyClientMaxBodySize`), so an upload through the proxy would arrive truncated
 * and held in memory. This wrapper does for those routes what the proxy does for the others:
 * the database gate (503 with Retry-After while it cannot serve) and the security headers.
 * Routes here must never read the body as a whole (lib/admin/content-upload.ts streams it).
 */

export const UPLOADS_PREFIX = "/api/admin/uploads/";

type Handler<C> = (request: Request, context: C) => Promise<Response>;

/** As proxy.ts decides it; an invalid env (stopped at start-up anyway) gets the strictest. */
function mode(): { development: boolean; live: boolean } {
  try {
    const env = getEnv();
    return { development: env.nodeEnv === "development", live: !env.isSandbox };
  } catch {
    return { development: false, live: false };
  }
}

export function uploadRoute<C>(handler: Handler<C>): Handler<C> {
  const wrapped = route(handler);
  return async (request, context) => {
    const nonce = newNonce();
    const response = (await databaseGate().available())
      ? await wrapped(request, context)
      : unavailableResponse(request, nonce);
    const headers = securityHeaders({ nonce, ...mode() });
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    response.headers.set("cache-control", "no-store");
    return response;
  };
}
