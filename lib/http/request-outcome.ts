import "server-only";
import type { AsyncLocalStorage } from "node:async_hooks";

/**
 * What the production server (server.mjs) learns about a request while Next handles it. It runs
 * each request inside an AsyncLocalStorage holding one of these, kept on globalThis under
 * {@link REQUEST_OUTCOME} (Next's bundles and server.mjs share one process, not one module graph).
 *
 * `databaseUnavailable`: the request met a database that could not serve (instrumentation.ts's
 * onRequestError saw the error). A page cannot choose its status, so Next answers such a render
 * 500; server.mjs answers 503 with Retry-After instead, as proxy.ts's gate does once it knows.
 * Where server.mjs does not run (Vercel, tests), there is no store and nothing is recorded.
 */
export interface RequestOutcome {
  databaseUnavailable: boolean;
}

export const REQUEST_OUTCOME = Symbol.for("xiaopu.requestOutcome");

function outcomes(): AsyncLocalStorage<RequestOutcome> | undefined {
  return (globalThis as Record<symbol, AsyncLocalStorage<RequestOutcome> | undefined>)[
    REQUEST_OUTCOME
  ];
}

/** The request being handled met an unavailable database. */
export function markDatabaseUnavailable(): void {
  const outcome = outcomes()?.getStore();
  if (outcome) outcome.databaseUnavailable = true;
}
