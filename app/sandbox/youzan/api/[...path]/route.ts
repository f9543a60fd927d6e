import { AppError } from "@/lib/errors";
import { getYouzanSandbox } from "@/lib/sandbox/youzan";
import { sandboxRoute } from "@/lib/sandbox/youzan/http";

interface Context {
  params: Promise<{ path: string[] }>;
}

/** A NUL byte cannot be stored in a PostgreSQL text column: refused before the gateway looks. */
const hasNul = (text: string) => text.includes("\u0000");

/** Youzan Cloud gateway `/api/{name}/{version}?access_token=…` (sandbox). */
const gateway = sandboxRoute<Context>(async (request, { params }) => {
  const path = (await params).path;
  const query = [...new URL(request.url).searchParams].flat();
  if (path.some(hasNul) || query.some(hasNul)) {
    throw new AppError("bad_request", "NUL bytes are not allowed in the path or query.");
  }
  return (await getYouzanSandbox()).handleApi(request, path);
});

export const GET = gateway;
export const POST = gateway;
