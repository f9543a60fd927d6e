import { assertUser } from "@/lib/auth/guards";
import { serveDownload } from "@/lib/delivery/download";
import { getEnv } from "@/lib/env";
import { route } from "@/lib/http/json";
import { moduleLogger } from "@/lib/logger";
import { getRuntime } from "@/lib/runtime";
import { getStorage } from "@/lib/storage";

interface Context {
  params: Promise<{ fileId: string }>;
}

const log = moduleLogger("downloads");

/**
 * A buyer's download (lib/delivery/download.ts): 401 signed out, 404 for anything that is not a
 * file, 403 without a live grant (refunded, membership ended), 429 past the daily limit, then
 * a redirect to a signed URL (S3) or the bytes (local disk, Range → 206).
 */
export const GET = route<Context>(async (request, { params }) => {
  const user = await assertUser();
  const { fileId } = await params;
  const deps = await getRuntime();
  return serveDownload(
    {
      db: deps.db,
      storage: getStorage(),
      now: await deps.now(),
      downloadsPerDay: getEnv().downloadsPerDay,
      log,
    },
    user,
    fileId,
    request.headers.get("range"),
  );
});
