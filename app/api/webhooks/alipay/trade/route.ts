import { alipayNotifyRoute } from "@/lib/webhooks/alipay/route";
import { unproxiedMethodsNotAllowed } from "@/lib/http/unproxied-route";

/** Alipay trade notifications (`notify_url` of trade.pay and trade.app.pay): payments. */
export const POST = alipayNotifyRoute("trade");

/** Any other method: 405 with the JSON error. */
export const { GET, PUT, PATCH, DELETE } = unproxiedMethodsNotAllowed(["POST"]);
