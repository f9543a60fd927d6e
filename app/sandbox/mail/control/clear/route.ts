import { getDb } from "@/db";
import { clearSandboxMail } from "@/db/queries/sandbox-mail";
import { json } from "@/lib/http/json";
import { sandboxRoute } from "@/lib/sandbox/youzan/http";

/** `POST /sandbox/mail/control/clear`: empties the mailbox → `{ ok: true, deleted: n }`. */
export const POST = sandboxRoute(async () => {
  const deleted = await clearSandboxMail(await getDb());
  return json({ ok: true, deleted });
});
