import { getYouzanSandbox } from "@/lib/sandbox/youzan";
import { sandboxRoute } from "@/lib/sandbox/youzan/http";

interface Context {
  params: Promise<{ path: string[] }>;
}

/** Youzan Cloud gateway `/api/{name}/{version}?access_token=…` (sandbox). */
const gateway = sandboxRoute<Context>(async (request, { params }) =>
  (await getYouzanSandbox()).handleApi(request, (await params).path),
);

export const GET = gateway;
export const POST = gateway;
