import { controlAdvanceClock, controlGetClock } from "@/lib/sandbox/youzan/control";
import { sandboxRoute } from "@/lib/sandbox/youzan/http";

/** The shared sandbox clock: GET → `{offsetMs, now}`; POST `{"advanceSeconds": n}` moves it. */
export const GET = sandboxRoute(controlGetClock);
export const POST = sandboxRoute(controlAdvanceClock);
