import "server-only";
import { AppError } from "@/lib/errors";
import { errorResponse, readCappedText } from "@/lib/http/json";
import { unproxiedRoute } from "@/lib/http/unproxied-route";
import { payments } from "@/lib/jobs/payments-first";
import { getRuntime, kickNotices } from "@/lib/runtime";
import { ALIPAY_WEBHOOK_MAX_BYTES, handleAlipayNotify, type AlipayDestination } from "./index";

/**
 * The route handler of one Alipay notification destination: the raw form body (parsed by the
 * pipeline itself: Alipay's odd content types defeat framework parsers) → the reply Alipay
 * expects: exactly `success` as plain text once recorded. A refusal is the shop's JSON error
 * (Alipay counts anything but `success` as a failure and retries; the inbox keeps the reason).
 * Not behind the proxy (lib/http/unproxied-route.ts): notifications come by the thousand.
 */
export function alipayNotifyRoute(destination: AlipayDestination) {
  return unproxiedRoute(async (request) => {
    const raw = await readCappedText(request, ALIPAY_WEBHOOK_MAX_BYTES);
    // Counted while answered: the notice sender gives way to it (lib/jobs/payments-first.ts).
    const reply = await payments.during(async () =>
      handleAlipayNotify(await getRuntime(), destination, raw, request.headers),
    );
    // What it changed may have written notices (a receipt, a cancellation): send them now.
    kickNotices();
    if (reply.status !== 200) {
      return errorResponse(
        new AppError("bad_request", "Notification refused: unsigned, forged or unreadable."),
      );
    }
    return new Response(reply.body, {
      status: reply.status,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  });
}
