import "server-only";
import { unproxiedRoute } from "@/lib/http/unproxied-route";

/*
 * The upload routes live under /api/admin/uploads/, which proxy.ts does not run for: Next
 * clones and buffers the body of every request its proxy sees, cut at 10 MB
 * (`experimental.proxyClientMaxBodySize`), so an upload through the proxy would arrive truncated
 * and held in memory. `unproxiedRoute` does for them what the proxy does for the others (the
 * database gate, the security headers); nothing here is cached.
 * Routes here must never read the body as a whole (lib/admin/content-upload.ts streams it).
 */

type Handler<C> = (request: Request, context: C) => Promise<Response>;

export function uploadRoute<C>(handler: Handler<C>): Handler<C> {
  const wrapped = unproxiedRoute(handler);
  return async (request, context) => {
    const response = await wrapped(request, context);
    response.headers.set("cache-control", "no-store");
    return response;
  };
}
