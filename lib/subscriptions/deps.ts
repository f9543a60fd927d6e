import type { Db } from "@/db/client";
import type { AlipayGateway } from "@/lib/payments/alipay";

/** What the Alipay side of the shop needs; built in `lib/runtime.ts`, by tests from their parts. */
export interface AlipayDeps {
  gateway: AlipayGateway;
  /** Ours: notifications for another app change nothing. */
  appId: string;
  /** The merchant's PID when configured: notifications for another seller change nothing. */
  sellerId: string | null;
  /** `ALIPAY_SINGLE_CAP_FEN`: no plan may charge more at once. */
  singleCapFen: number;
  /** The shop's public base URL (`APP_URL`): notification targets are built from it. */
  appUrl: string;
}

export interface SubscriptionDeps {
  db: Db;
  now: () => Promise<Date>;
  alipay: AlipayDeps;
}

/** Where each kind of Alipay notification is sent (one route per destination). */
export function notifyUrls(appUrl: string) {
  return {
    trade: `${appUrl}/api/webhooks/alipay/trade`,
    agreement: `${appUrl}/api/webhooks/alipay/agreement`,
    gateway: `${appUrl}/api/webhooks/alipay/gateway`,
  };
}
