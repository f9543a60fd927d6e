import { alipayNotifyRoute } from "@/lib/webhooks/alipay/route";
import { unproxiedMethodsNotAllowed } from "@/lib/http/unproxied-route";

/** Alipay sign notifications (`sign_notify_url`, page.sign's `notify_url`): `dut_user_sign`. */
export const POST = alipayNotifyRoute("agreement");

/** Any other method: 405 with the JSON error. */
export const { GET, PUT, PATCH, DELETE } = unproxiedMethodsNotAllowed(["POST"]);
