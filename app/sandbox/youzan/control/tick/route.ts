import { controlTick } from "@/lib/sandbox/youzan/control";
import { sandboxRoute } from "@/lib/sandbox/youzan/http";

/** Closes expired trades and delivers the pushes due now → `{delivered, failed, closed}`. */
export const POST = sandboxRoute(controlTick);
