import { getDb } from "@/db";
import { getSandboxMail } from "@/db/queries/sandbox-mail";
import { AppError } from "@/lib/errors";
import { MAIL_PREVIEW_HEADERS, previewHtml } from "@/lib/notices/render-preview";
import { sandboxRoute } from "@/lib/sandbox/youzan/http";
import { mailId } from "../../mailbox";

interface Context {
  params: Promise<{ id: string }>;
}

/**
 * `GET /sandbox/mail/<id>/html`: a message's HTML part as a page of its own, for the viewer's
 * sandboxed iframe, under the preview policy (lib/notices/render-preview.ts: nothing runs or
 * loads but inline styles and images; framed by this origin only — proxy.ts sets the same
 * headers on this path). Links open in a new tab.
 */
export const GET = sandboxRoute<Context>(async (_request, { params }) => {
  const id = mailId((await params).id);
  const mail = id === null ? null : await getSandboxMail(await getDb(), id);
  if (!mail?.html) throw new AppError("not_found", "No such message, or it has no HTML part.");
  return new Response(previewHtml(mail.html), {
    headers: {
      ...MAIL_PREVIEW_HEADERS,
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
});
