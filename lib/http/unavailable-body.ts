import type { ErrorBody } from "@/lib/errors";

/** Seconds a client should wait before retrying a 503 (sent as Retry-After). */
export const RETRY_AFTER_SECONDS = 5;

/** The body of every 503 that a database outage causes, from a route or from proxy.ts. */
export const UNAVAILABLE: ErrorBody = {
  error: {
    code: "service_unavailable",
    message: "The shop cannot reach its database right now. Please try again in a few seconds.",
  },
};
