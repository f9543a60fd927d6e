import { getDb } from "@/db";
import { resendBody, resendNotice } from "@/lib/admin/notices";
import { assertAdmin } from "@/lib/auth/guards";
import { json, methodsNotAllowed, readJson, route } from "@/lib/http/json";

/**
 * `POST /api/admin/notices/{id}/resend` (`{"confirm":"resend","expectedStatus"?}`): a dead,
 * skipped or sent notice back in the queue, audited `notice.resend`. 404 unknown, 409 when the
 * notice cannot be resent (a password reset, pending, or changed since the page was read).
 */
export const POST = route(
  async (request: Request, context: { params: Promise<{ id: string }> }) => {
    // The role first: a stranger learns nothing about the body or the notice.
    const admin = await assertAdmin();
    const { id } = await context.params;
    const body = await readJson(request, resendBody);
    return json(await resendNotice(await getDb(), admin.id, id, body.expectedStatus));
  },
);

/** Any other method: 405 with the JSON error. */
export const { GET, PUT, PATCH, DELETE } = methodsNotAllowed(["POST"]);
