import { controlPushUrl } from "@/lib/sandbox/youzan/control";
import { sandboxRoute } from "@/lib/sandbox/youzan/http";

/** `{"url": "http…" | null}`: where pushes go (null → the shop's webhook). */
export const POST = sandboxRoute(controlPushUrl);
