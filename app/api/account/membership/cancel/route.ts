import { assertUser } from "@/lib/auth/guards";
import { json, methodsNotAllowed, route } from "@/lib/http/json";
import { getRuntime } from "@/lib/runtime";
import { cancelAutoRenewal } from "@/lib/subscriptions/cancel";

/**
 * Cancels the signed-in buyer's automatic renewal: unsigns the agreement at Alipay and closes it.
 * The paid time stays. 404 when nothing renews.
 */
export const POST = route(async () => {
  const user = await assertUser();
  const { agreementId } = await cancelAutoRenewal(await getRuntime(), { userId: user.id });
  return json({ agreementId, autoRenew: false });
});

/** Any other method: 405 with the JSON error. */
export const { GET, PUT, PATCH, DELETE } = methodsNotAllowed(["POST"]);
