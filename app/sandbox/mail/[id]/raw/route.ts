import { getDb } from "@/db";
import { getSandboxMail } from "@/db/queries/sandbox-mail";
import { AppError } from "@/lib/errors";
import { attachmentDisposition } from "@/lib/http/content-disposition";
import { sandboxRoute } from "@/lib/sandbox/youzan/http";
import { mailId } from "../../mailbox";

interface Context {
  params: Promise<{ id: string }>;
}

/** `GET /sandbox/mail/<id>/raw`: the whole message as sent, `message/rfc822`, saved as `.eml`. */
export const GET = sandboxRoute<Context>(async (_request, { params }) => {
  const id = mailId((await params).id);
  const mail = id === null ? null : await getSandboxMail(await getDb(), id);
  if (!mail) throw new AppError("not_found", "No such message.");
  return new Response(mail.raw, {
    headers: {
      "Content-Type": "message/rfc822",
      "Content-Disposition": attachmentDisposition(`xiaopu-mail-${mail.id}.eml`),
      "Cache-Control": "no-store",
    },
  });
});
