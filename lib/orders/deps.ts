import { getDb } from "@/db";
import type { Db } from "@/db/client";
import { getYouzanGateway } from "@/lib/payments/youzan";
import type { YouzanGateway } from "@/lib/payments/youzan/types";
import { getEnv } from "@/lib/env";
import { getClock } from "@/lib/now";

/** What the order code needs from the outside; tests build it with a test gateway and clock. */
export interface OrderDeps {
  db: Db;
  youzan: YouzanGateway;
  now: () => Promise<Date>;
  orderTtlMinutes: number;
  /** Minimum time between two provider status queries for one order. */
  statusCheckIntervalMs: number;
}

export const STATUS_CHECK_INTERVAL_MS = 3_000;

export async function getOrderDeps(): Promise<OrderDeps> {
  const [db, clock] = await Promise.all([getDb(), getClock()]);
  return {
    db,
    youzan: getYouzanGateway(),
    now: () => clock.now(),
    orderTtlMinutes: getEnv().orderTtlMinutes,
    statusCheckIntervalMs: STATUS_CHECK_INTERVAL_MS,
  };
}
