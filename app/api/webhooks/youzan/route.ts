import { registerFastRoute } from "@/lib/http/fast-routes";
import { readCappedText, sizedJson } from "@/lib/http/json";
import { unproxiedMethodsNotAllowed, unproxiedRoute } from "@/lib/http/unproxied-route";
import { payments } from "@/lib/jobs/payments-first";
import { getRuntime, kickNotices } from "@/lib/runtime";
import { handleYouzanPush, YOUZAN_WEBHOOK_MAX_BYTES } from "@/lib/webhooks/youzan";

/**
 * Youzan push messages: raw body and headers → the webhook pipeline → the reply Youzan expects
 * (`{"code":0,"msg":"success"}`). A refusal keeps Youzan's shape and carries the shop's error too.
 * Not behind the proxy (lib/http/unproxied-route.ts): pushes come by the thousand; once loaded
 * answered by the production server itself, without Next's router (lib/http/fast-routes.ts).
 */
export const POST = unproxiedRoute(async (request) => {
  const raw = await readCappedText(request, YOUZAN_WEBHOOK_MAX_BYTES);
  // Counted while answered: the notice sender gives way to it (lib/jobs/payments-first.ts).
  const reply = await payments.during(async () =>
    handleYouzanPush(await getRuntime(), raw, request.headers),
  );
  // A settlement writes its receipt in the outbox: send it now rather than at the next cron run.
  kickNotices();
  // Sized: a 26-byte acknowledgement is not worth a gzip stream per push.
  if (reply.status < 400) return sizedJson(reply.body, { status: reply.status });
  const { msg } = reply.body as { msg?: string };
  const code = reply.status === 401 ? "unauthorized" : "bad_request";
  return sizedJson(
    { ...(reply.body as object), error: { code, message: msg ?? "Push refused." } },
    { status: reply.status },
  );
});

registerFastRoute("youzanPush", POST);

/** Any other method: 405 with the JSON error. */
export const { GET, PUT, PATCH, DELETE } = unproxiedMethodsNotAllowed(["POST"]);
