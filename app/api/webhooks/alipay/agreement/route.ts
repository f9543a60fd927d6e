import { alipayNotifyRoute } from "@/lib/webhooks/alipay/route";

/** Alipay sign notifications (`sign_notify_url`, page.sign's `notify_url`): `dut_user_sign`. */
export const POST = alipayNotifyRoute("agreement");
