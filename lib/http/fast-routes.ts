import "server-only";
import type { FastHandler } from "@/server-fast-path.mjs";

/*
 * The production server (server.mjs) answers the hottest routes itself: the checkout's status
 * poll, asked every few seconds by every open checkout, and Youzan's pushes, by the thousand
 * after a sale. Through Next's router a request costs
 * the server ~1 ms of CPU before the route's own code runs (resolving the path against every
 * route, building the route's regex, its request and work stores, the incremental cache, the
 * response piped through web streams), more than the poll's own work, its query included
 * (docs/PERFORMANCE.md, "The fast path").
 *
 * How: the route module registers its handler here when Next loads it (at the first poll, which
 * Next answers). From then on server.mjs calls that same handler, from the same module instance,
 * for requests that match the route's exact pattern (server-fast-path.mjs), and writes its
 * Response; every other request, and every request that matches nothing exactly, is Next's.
 * The handler is the route's own, so both ways give the same answer (tests/e2e/fast-path.spec.ts
 * compares them). Only the production server creates the registry: under `next dev`, in tests
 * and on Vercel (no server.mjs) registering does nothing and Next answers every request.
 *
 * A fast route's handler may rely on the Request alone: no `next/headers`, no `NextRequest`
 * extras, no Next request scope (`after()` falls back to running on: lib/runtime.ts).
 */

/** The routes server-fast-path.mjs knows by name (their patterns live there). */
export type FastRouteName = "orderStatus" | "youzanPush";

/** Where server.mjs keeps the registry (globalThis, which Next's bundles share with it). */
export const FAST_ROUTES_KEY = Symbol.for("xiaopu.fastRoutes");

/**
 * Hands `handler` to the production server, when there is one; otherwise does nothing. The
 * server calls it with `{ params }` as Next would (the route's dynamic segments, or none).
 */
export function registerFastRoute<C>(
  name: FastRouteName,
  handler: (request: Request, context: C) => Promise<Response>,
): void {
  const registry = (globalThis as Record<symbol, unknown>)[FAST_ROUTES_KEY];
  if (registry instanceof Map) registry.set(name, handler as unknown as FastHandler);
}
