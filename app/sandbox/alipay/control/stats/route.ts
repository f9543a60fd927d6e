import { controlStats } from "@/lib/sandbox/alipay/control";
import { sandboxRoute } from "@/lib/sandbox/youzan/http";

export const GET = sandboxRoute(controlStats);
