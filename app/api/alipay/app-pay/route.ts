import { productSlugBody } from "@/lib/validation-slug";
import { assertUser } from "@/lib/auth/guards";
import { json, methodsNotAllowed, readJson, route } from "@/lib/http/json";
import { limitSubscriptionCreation } from "@/lib/rate-limit";
import { getRuntime } from "@/lib/runtime";
import { startAppPay } from "@/lib/subscriptions/start";

/**
 * For the shop's mobile app (pay, then sign): 201 with the order number and the signed order
 * string the app hands to the Alipay SDK. The trade notification pays period 1; the sign
 * notification activates the agreement, first deduction one period on.
 */
export const POST = route(async (request) => {
  const user = await assertUser();
  const { productSlug } = await readJson(request, productSlugBody);
  const runtime = await getRuntime();
  await limitSubscriptionCreation(runtime, { userId: user.id, headers: request.headers });
  const { orderNo, orderStr } = await startAppPay(runtime, { userId: user.id, productSlug });
  return json({ orderNo, orderStr }, { status: 201 });
});

/** Any other method: 405 with the JSON error. */
export const { GET, PUT, PATCH, DELETE } = methodsNotAllowed(["POST"]);
