import { gatewayRoute } from "@/lib/sandbox/alipay/routes";
import { sandboxRoute } from "@/lib/sandbox/youzan/http";

/** The Alipay v2 gateway (sandbox). A page.sign GET opens the sign page instead. */
export const GET = sandboxRoute(gatewayRoute);
export const POST = sandboxRoute(gatewayRoute);
