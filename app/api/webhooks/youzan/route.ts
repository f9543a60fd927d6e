import { readCappedText, route, sizedJson } from "@/lib/http/json";
import { getRuntime, kickNotices } from "@/lib/runtime";
import { handleYouzanPush, YOUZAN_WEBHOOK_MAX_BYTES } from "@/lib/webhooks/youzan";

/** Youzan push messages: raw body and headers → the webhook pipeline → the reply Youzan expects. */
export const POST = route(async (request) => {
  const raw = await readCappedText(request, YOUZAN_WEBHOOK_MAX_BYTES);
  const reply = await handleYouzanPush(await getRuntime(), raw, request.headers);
  // A settlement writes its receipt in the outbox: send it now rather than at the next cron run.
  kickNotices();
  return sizedJson(reply.body, { status: reply.status });
});
