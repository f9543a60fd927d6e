import { controlStats } from "@/lib/sandbox/youzan/control";
import { sandboxRoute } from "@/lib/sandbox/youzan/http";

export const GET = sandboxRoute(controlStats);
