import "server-only";
import type { Db } from "@/db/client";
import type { SandboxAlipayKeys } from "@/db/queries/sandbox-alipay-keys";
import type { Clock } from "@/lib/clock";

/** The one buyer of the sandbox (one per session/test). */
export const BUYER = {
  userId: "2088102000000001",
  logonId: "xia***@sandbox.com",
} as const;

/** What every part of one sandbox instance shares. */
export interface AlipayContext {
  db: Db;
  clock: Clock;
  keys: SandboxAlipayKeys;
  sellerId: string;
  /** Default app gateway (`${APP_URL}/api/webhooks/alipay/gateway`). */
  appGatewayUrl: string;
  fetch: typeof fetch;
  notifyTimeoutMs: number;
  sleep: (ms: number) => Promise<void>;
}
