import { productSlugBody } from "@/lib/validation-slug";
import { assertUser } from "@/lib/auth/guards";
import { getEnv } from "@/lib/env";
import { json, methodsNotAllowed, readJson, route } from "@/lib/http/json";
import { limitSubscriptionCreation } from "@/lib/rate-limit";
import { withOneClockRead } from "@/lib/clock";
import { getRuntime } from "@/lib/runtime";
import { startSubscription } from "@/lib/subscriptions/start";

/**
 * Subscribes the signed-in buyer to a membership plan in the browser (sign, then charge):
 * 201 with the order, the agreement and the URL that opens Alipay's signing page. Asking again
 * while it waits for the signature returns the same order and agreement. 429 with Retry-After
 * past the per-account or per-client subscription limit; 409 with an active membership.
 */
export const POST = route(async (request) => {
  const user = await assertUser();
  const { productSlug } = await readJson(request, productSlugBody);
  const runtime = withOneClockRead(await getRuntime());
  await limitSubscriptionCreation(runtime, { userId: user.id, headers: request.headers });
  const started = await startSubscription(runtime, { userId: user.id, productSlug });
  return json(
    { ...started, checkoutUrl: `${getEnv().appUrl}${started.checkoutUrl}` },
    { status: 201 },
  );
});

/** Any other method: 405 with the JSON error. */
export const { GET, PUT, PATCH, DELETE } = methodsNotAllowed(["POST"]);
