import { alipayNotifyRoute } from "@/lib/webhooks/alipay/route";
import { unproxiedMethodsNotAllowed } from "@/lib/http/unproxied-route";

/** The app gateway (应用网关): `dut_user_unsign` from the wallet, and anything else Alipay sends. */
export const POST = alipayNotifyRoute("gateway");

/** Any other method: 405 with the JSON error. */
export const { GET, PUT, PATCH, DELETE } = unproxiedMethodsNotAllowed(["POST"]);
