import { getDb } from "@/db";
import { noticeSwitchRows, saveNoticeSwitch, switchBody } from "@/lib/admin/notices";
import { adminGet } from "@/lib/admin/api";
import { assertAdmin } from "@/lib/auth/guards";
import { json, methodsNotAllowed, readJson, route } from "@/lib/http/json";
import { z } from "zod";

/** `GET /api/admin/notices/settings`: every kind, whom it goes to, and whether it is on. */
export const GET = adminGet(z.object({}), async () => ({
  switches: await noticeSwitchRows(await getDb()),
}));

/**
 * `POST /api/admin/notices/settings` (`{"kind":"receipt","enabled":false}`): one switch, audited
 * `notice.switch`; a kind that is always sent (a password reset) is a 422.
 */
export const POST = route(async (request: Request) => {
  const admin = await assertAdmin();
  const body = await readJson(request, switchBody);
  return json(await saveNoticeSwitch(await getDb(), admin.id, body.kind, body.enabled));
});

/** Any other method: 405 with the JSON error. */
export const { PUT, PATCH, DELETE } = methodsNotAllowed(["GET", "POST"]);
