import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getFormatter, getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { Card } from "@/components/ui/card";
import { getDb } from "@/db";
import { getSandboxMail } from "@/db/queries/sandbox-mail";
import { getEnv } from "@/lib/env";
import { MAILBOX_PATH, mailId, noticeKindOf } from "../mailbox";
import { KindBadge, MailboxBanner, MailboxShell, RECEIVED_FORMAT } from "../parts";

/*
 * /sandbox/mail/<id>: one message as a mail client would show it — who, what, when, the headers
 * worth seeing, the HTML part in a sandboxed frame (served by ./html under its own strict
 * policy), the text part with its links clickable, and the raw message to download.
 *
 * The frame's sandbox allows popups and nothing else: the mail's links carry target=_blank
 * (./html adds <base target="_blank">), which a sandbox without `allow-popups` blocks, and
 * `allow-popups-to-escape-sandbox` lets the opened shop page run as itself rather than inherit
 * the frame's sandbox (no scripts, opaque origin: a broken page). Scripts, same-origin access,
 * forms and top navigation stay off.
 */

interface Props {
  params: Promise<{ id: string }>;
}

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("sandboxMail");
  return { title: t("metaTitle"), robots: { index: false } };
}

/** http(s) URLs in a text part, up to the first space, bracket or CJK punctuation. */
const URL_PATTERN = /https?:\/\/[^\s<>"'（）「」。，、；]+/g;

/** The text with its URLs as links (new tab), everything else as plain text. */
function linkify(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  let at = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    // A sentence's own full stop or closing bracket is not part of the URL.
    const url = match[0].replace(/[.,;:!?)\]]+$/, "");
    out.push(text.slice(at, match.index));
    out.push(
      <a
        key={match.index}
        href={url}
        target="_blank"
        rel="noopener noreferrer"
        className="text-brand-700 underline"
        data-testid="mail-text-link"
      >
        {url}
      </a>,
    );
    at = match.index + url.length;
  }
  out.push(text.slice(at));
  return out;
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-1 gap-0.5 py-1.5 text-sm sm:grid-cols-[8rem_1fr] sm:gap-3">
      <dt className="text-stone-500">{label}</dt>
      <dd className="min-w-0 break-all text-stone-900">{children}</dd>
    </div>
  );
}

export default async function SandboxMailViewerPage({ params }: Props) {
  if (!getEnv().isSandbox) notFound();
  const id = mailId((await params).id);
  if (id === null) notFound();
  const [t, format, mail] = await Promise.all([
    getTranslations("sandboxMail"),
    getFormatter(),
    getDb().then((db) => getSandboxMail(db, id)),
  ]);
  if (!mail) notFound();
  const headers = Object.entries(mail.headers);
  return (
    <MailboxShell>
      <MailboxBanner />
      <Link href={MAILBOX_PATH} className="inline-block text-sm text-brand-600 hover:underline">
        {t("back")}
      </Link>
      <Card className="space-y-3 p-4 sm:p-5" data-testid="mail-viewer">
        <h1 className="text-lg font-bold break-words" data-testid="mail-subject">
          {mail.subject}
        </h1>
        <dl className="divide-y divide-stone-100">
          <Row label={t("from")}>{mail.mailFrom}</Row>
          <Row label={t("to")}>
            <span data-testid="mail-to">{mail.mailTo}</span>
          </Row>
          <Row label={t("received")}>
            <time dateTime={mail.receivedAt.toISOString()}>
              {format.dateTime(mail.receivedAt, RECEIVED_FORMAT)}
            </time>
          </Row>
          {noticeKindOf(mail.headers) ? (
            <Row label={t("kind")}>
              <KindBadge kind={noticeKindOf(mail.headers)} />
            </Row>
          ) : null}
          <Row label={t("messageId")}>
            <span className="font-mono text-xs">{mail.messageId}</span>
          </Row>
        </dl>
        {headers.length > 0 ? (
          <details className="text-sm" data-testid="mail-headers">
            <summary className="cursor-pointer text-stone-600">{t("headers")}</summary>
            <dl className="mt-2 divide-y divide-stone-100">
              {headers.map(([name, value]) => (
                <Row key={name} label={name}>
                  <span className="font-mono text-xs">{value}</span>
                </Row>
              ))}
            </dl>
          </details>
        ) : null}
        <a
          href={`${MAILBOX_PATH}/${mail.id}/raw`}
          download
          className="inline-block text-sm text-brand-600 hover:underline"
          data-testid="mail-raw"
        >
          {t("raw")}
        </a>
      </Card>

      <section className="space-y-2">
        <h2 className="text-sm font-semibold text-stone-700">{t("htmlPart")}</h2>
        {mail.html ? (
          <iframe
            src={`${MAILBOX_PATH}/${mail.id}/html`}
            sandbox="allow-popups allow-popups-to-escape-sandbox"
            title={t("frameTitle")}
            className="h-[85vh] min-h-[32rem] w-full rounded-2xl border border-stone-200 bg-white"
            data-testid="mail-html-frame"
          />
        ) : (
          <p className="text-sm text-stone-500">{t("noHtml")}</p>
        )}
      </section>

      <section className="space-y-2">
        <h2 className="text-sm font-semibold text-stone-700">{t("textPart")}</h2>
        <pre
          className="overflow-x-auto rounded-2xl border border-stone-200 bg-white p-4 font-mono text-xs leading-relaxed break-words whitespace-pre-wrap sm:text-sm"
          data-testid="mail-text"
        >
          {linkify(mail.text)}
        </pre>
      </section>
    </MailboxShell>
  );
}
