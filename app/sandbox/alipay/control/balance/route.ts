import { controlBalance } from "@/lib/sandbox/alipay/control";
import { sandboxRoute } from "@/lib/sandbox/youzan/http";

export const POST = sandboxRoute(controlBalance);
