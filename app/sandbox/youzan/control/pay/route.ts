import { controlPay } from "@/lib/sandbox/youzan/control";
import { sandboxRoute } from "@/lib/sandbox/youzan/http";

/** `{"qrId"}` (optional tid, payType, payerNick, amountFen) → `{"tid"}`. */
export const POST = sandboxRoute(controlPay);
