import { getDb } from "@/db";
import { listSandboxMailFull } from "@/db/queries/sandbox-mail";
import { json } from "@/lib/http/json";
import { sandboxRoute } from "@/lib/sandbox/youzan/http";
import { messageJson, readControlQuery } from "../../mailbox";

/**
 * `GET /sandbox/mail/control/messages?to=<email>&limit=<n>`: the mailbox for tests,
 * `{ messages: [{ id, to, subject, text, html, headers, receivedAt, … }] }` newest first
 * (sandbox mode only; a 404 in live mode). `to` is compared without case; `limit` 1–200 (50).
 */
export const GET = sandboxRoute(async (request) => {
  const { to, limit } = readControlQuery(request);
  const rows = await listSandboxMailFull(await getDb(), { to, limit });
  return json({ messages: rows.map(messageJson) });
});
