import { alipayNotifyRoute } from "@/lib/webhooks/alipay/route";

/** Alipay trade notifications (`notify_url` of trade.pay and trade.app.pay): payments. */
export const POST = alipayNotifyRoute("trade");
