import { alipayNotifyRoute } from "@/lib/webhooks/alipay/route";

/** The app gateway (应用网关): `dut_user_unsign` from the wallet, and anything else Alipay sends. */
export const POST = alipayNotifyRoute("gateway");
