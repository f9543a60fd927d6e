import type { Db } from "@/db/client";
import type { YouzanGateway } from "@/lib/payments/youzan";

/**
 * What the order code needs from the outside. Built in one place for the app
 * (`lib/runtime.ts`); tests build it with a sandbox-backed gateway and a test clock.
 */
export interface OrderDeps {
  db: Db;
  youzan: YouzanGateway;
  now: () => Promise<Date>;
  orderTtlMinutes: number;
  /** Minimum time between two provider status queries for one order. */
  statusCheckIntervalMs: number;
  /** Waits between looks at an order whose QR another request is still creating. */
  sleep: (ms: number) => Promise<void>;
}

export const STATUS_CHECK_INTERVAL_MS = 3_000;
