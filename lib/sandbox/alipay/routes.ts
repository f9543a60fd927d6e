import "server-only";
import { afterResponse } from "@/lib/sandbox/youzan/http";
import { readGatewayParams } from "./gateway";
import { handleSandboxGateway } from "./index";
import { SIGN_PAGE } from "./pages";

const PAGE_SIGN = "alipay.user.agreement.page.sign";

/**
 * `/sandbox/alipay/gateway.do`. A browser opening a page.sign request — a
 * `pageExecute(…, 'GET')` URL or the auto-submitted `pageExecute(…, 'POST')` form — is sent to
 * the human sign page with the request's params in the query (the page verifies them);
 * everything else is the v2 API.
 */
export async function gatewayRoute(request: Request): Promise<Response> {
  const params = await readGatewayParams(request);
  if (params.method === PAGE_SIGN) {
    return new Response(null, {
      status: 303,
      headers: { location: `${SIGN_PAGE}?${new URLSearchParams(params).toString()}` },
    });
  }
  return handleSandboxGateway(params, { background: afterResponse });
}
