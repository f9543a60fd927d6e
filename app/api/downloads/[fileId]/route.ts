import { assertUser } from "@/lib/auth/guards";
import { refusalRedirect, serveDownload } from "@/lib/delivery/download";
import { getEnv } from "@/lib/env";
import { methodsNotAllowed, route } from "@/lib/http/json";
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
 * a redirect to a signed URL (S3) or the bytes (local disk, Range → 206). A refusal the
 * browser navigated to goes back to the library with a notice (refusalRedirect).
 */
export const GET = route<Context>(async (request, { params }) => {
  const { fileId } = await params;
  try {
    const user = await assertUser();
    const deps = await getRuntime();
    return await serveDownload(
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
  } catch (error) {
    // A buyer's click from the library: back there with a notice, not a JSON page.
    const redirect = refusalRedirect(error, request, fileId);
    if (redirect) return redirect;
    throw error;
  }
});

/**
 * Not a download: without this Next answers HEAD by running GET, and a link checker or a chat
 * app's preview would use up the buyer's downloads of the day.
 */
export function HEAD(): Response {
  return new Response(null, { status: 405, headers: { allow: "GET" } });
}

/** Any other method: 405 with the JSON error. */
export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
