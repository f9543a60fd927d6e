import { alipayNotifyRoute } from "@/lib/webhooks/alipay/route";
import { methodsNotAllowed } from "@/lib/http/json";

/** Alipay trade notifications (`notify_url` of trade.pay and trade.app.pay): payments. */
export const POST = alipayNotifyRoute("trade");

/** Any other method: 405 with the JSON error. */
export const { GET, PUT, PATCH, DELETE } = methodsNotAllowed(["POST"]);
