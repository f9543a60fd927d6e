import { getYouzanSandbox } from "@/lib/sandbox/youzan";
import { sandboxRoute } from "@/lib/sandbox/youzan/http";

/** Youzan Cloud `POST /auth/token` (sandbox). */
export const POST = sandboxRoute(async (request) =>
  (await getYouzanSandbox()).handleToken(request),
);
