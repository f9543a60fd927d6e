import { getDb } from "@/db";
import { unsubscribe } from "@/db/queries/notice-settings";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { json, methodsNotAllowed, readCappedText, route } from "@/lib/http/json";
import { moduleLogger } from "@/lib/logger";
import { readUnsubscribeToken } from "@/lib/notices/tokens";

const log = moduleLogger("notices-unsubscribe");

/** The body a mail provider sends is one short form field; anything much longer is not one. */
const MAX_BODY_BYTES = 4 * 1024;

/**
 * `POST /api/notices/unsubscribe?token=…`: the RFC 8058 one-click unsubscribe that mail
 * providers call when the reader presses "unsubscribe" (the mail carries `List-Unsubscribe:
 * <…this URL…>` and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`). No sign-in: the
 * token (lib/notices/tokens.ts, HMAC of the user and the category) says who leaves what, and it
 * can only ever unsubscribe. The body (`List-Unsubscribe=One-Click`, form-encoded) is read within
 * a cap but not required: RFC 8058 puts everything the sender needs in the URI. Idempotent:
 * 200 `{"unsubscribed":true}` every time; 400 for a token that is not one of ours.
 */
export const POST = route(async (request: Request) => {
  const token = new URL(request.url).searchParams.get("token");
  const found = readUnsubscribeToken(getEnv().authSecret, token);
  if (!found) throw new AppError("bad_request", "This unsubscribe link is not valid.");
  await readCappedText(request, MAX_BODY_BYTES);
  const changed = await unsubscribe(await getDb(), found.userId, found.category);
  if (changed === null) throw new AppError("bad_request", "This unsubscribe link is not valid.");
  log.info({ userId: found.userId, category: found.category, changed }, "one-click unsubscribe");
  return json({ unsubscribed: true }, { headers: { "cache-control": "no-store" } });
});

/**
 * A GET never unsubscribes: mail scanners and link previews follow every link they see. The
 * link a reader opens is the page, /notices/unsubscribe?token=…, which asks first.
 */
export function GET(): Response {
  return Response.json(
    {
      error: {
        code: "method_not_allowed",
        message: "Unsubscribing takes a POST (RFC 8058); open /notices/unsubscribe to confirm.",
      },
    },
    { status: 405, headers: { allow: "POST", "cache-control": "no-store" } },
  );
}

/** Any other method: 405 with the JSON error. */
export const { PUT, PATCH, DELETE } = methodsNotAllowed(["GET", "POST"]);
