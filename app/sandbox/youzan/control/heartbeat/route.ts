import { controlHeartbeat } from "@/lib/sandbox/youzan/control";
import { sandboxRoute } from "@/lib/sandbox/youzan/http";

/** Sends a `{"test":true}` heartbeat to the push URL now → `{delivered, result}`. */
export const POST = sandboxRoute(controlHeartbeat);
