import { controlScan } from "@/lib/sandbox/youzan/control";
import { sandboxRoute } from "@/lib/sandbox/youzan/http";

/** `{"qrId"}` → `{"tid"}`: an unpaid WAIT_RECEIVED trade. */
export const POST = sandboxRoute(controlScan);
