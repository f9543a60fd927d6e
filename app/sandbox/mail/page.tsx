import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getFormatter, getTranslations } from "next-intl/server";
import { buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { getDb } from "@/db";
import { countSandboxMail, listSandboxMail } from "@/db/queries/sandbox-mail";
import { getEnv } from "@/lib/env";
import { SubmitButton } from "../youzan/pay/submit-button";
import { clearMailboxAction } from "./actions";
import { MAILBOX_PATH, mailId, noticeKindOf, PAGE_SIZE, recipientFilter } from "./mailbox";
import { KindBadge, MailboxBanner, MailboxShell, RECEIVED_FORMAT } from "./parts";

/*
 * /sandbox/mail: every mail the shop "sent" in sandbox mode (lib/notices/transport.ts stores
 * them instead), newest first, 50 a page; `?to=` keeps one recipient's. Sandbox mode only.
 */

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("sandboxMail");
  return { title: t("metaTitle"), robots: { index: false } };
}

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

function pageHref(to: string | undefined, before?: number): string {
  const query = new URLSearchParams();
  if (to) query.set("to", to);
  if (before !== undefined) query.set("before", String(before));
  const search = query.toString();
  return search ? `${MAILBOX_PATH}?${search}` : MAILBOX_PATH;
}

export default async function SandboxMailPage({ searchParams }: Props) {
  if (!getEnv().isSandbox) notFound();
  const query = await searchParams;
  const to = recipientFilter(first(query.to));
  const before = mailId(first(query.before)) ?? undefined;
  const db = await getDb();
  const [t, format, rows, total] = await Promise.all([
    getTranslations("sandboxMail"),
    getFormatter(),
    listSandboxMail(db, { to, before, limit: PAGE_SIZE }),
    countSandboxMail(db, to),
  ]);
  const last = rows.at(-1);
  return (
    <MailboxShell>
      <MailboxBanner />
      <Card className="space-y-4 p-4 sm:p-5">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h1 className="text-xl font-bold">{t("title")}</h1>
          <p className="text-sm text-stone-500" data-testid="mail-count">
            {t("count", { count: total })}
          </p>
        </div>
        <form
          method="get"
          action={MAILBOX_PATH}
          className="flex flex-col gap-2 sm:flex-row sm:items-end"
          data-testid="mail-filter"
        >
          <label className="min-w-0 flex-1 text-sm">
            <span className="mb-1 block text-stone-600">{t("filterLabel")}</span>
            <input
              type="email"
              name="to"
              defaultValue={to ?? ""}
              placeholder={t("filterPlaceholder")}
              className="block w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-base sm:text-sm"
            />
          </label>
          <div className="flex gap-2">
            <button
              type="submit"
              className={buttonClass("secondary", "flex-1 py-2.5 sm:flex-none")}
            >
              {t("filter")}
            </button>
            {to ? (
              <Link
                href={MAILBOX_PATH}
                className={buttonClass("ghost", "flex-1 py-2.5 sm:flex-none")}
                data-testid="mail-show-all"
              >
                {t("showAll")}
              </Link>
            ) : null}
          </div>
        </form>
      </Card>

      {rows.length === 0 ? (
        <Card className="text-center text-sm text-stone-600" data-testid="mail-empty">
          {to ? t("emptyFiltered", { to }) : t("empty")}
        </Card>
      ) : (
        <ul
          className="divide-y divide-stone-100 overflow-hidden rounded-2xl border border-stone-200 bg-white shadow-sm"
          data-testid="mail-list"
        >
          {rows.map((row) => (
            <li key={row.id} data-testid="mail-row" data-to={row.mailTo} data-subject={row.subject}>
              <Link
                href={`${MAILBOX_PATH}/${row.id}`}
                className="block space-y-1 px-4 py-3 hover:bg-stone-50"
                data-testid="mail-open"
              >
                <div className="flex flex-col gap-0.5 sm:flex-row sm:items-baseline sm:justify-between sm:gap-4">
                  <p className="min-w-0 font-medium break-words text-stone-900">{row.subject}</p>
                  <time
                    dateTime={row.receivedAt.toISOString()}
                    className="shrink-0 text-xs text-stone-500 tabular-nums"
                  >
                    {format.dateTime(row.receivedAt, RECEIVED_FORMAT)}
                  </time>
                </div>
                <div className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm text-stone-600">
                  <span className="min-w-0 break-all">
                    {t("to")}
                    {t("separator")}
                    {row.mailTo}
                  </span>
                  <KindBadge kind={noticeKindOf(row.headers)} />
                </div>
              </Link>
            </li>
          ))}
        </ul>
      )}

      <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
        <div className="flex gap-4 text-sm">
          {before !== undefined ? (
            <Link href={pageHref(to)} className="text-brand-600 hover:underline">
              {t("newest")}
            </Link>
          ) : null}
          {last && rows.length === PAGE_SIZE ? (
            <Link
              href={pageHref(to, last.id)}
              className="text-brand-600 hover:underline"
              data-testid="mail-older"
            >
              {t("older")}
            </Link>
          ) : null}
        </div>
        {total > 0 ? (
          <form action={clearMailboxAction}>
            <SubmitButton
              label={t("clear")}
              pendingLabel={t("clearing")}
              variant="secondary"
              className="w-full py-2.5 sm:w-auto"
              testId="mail-clear"
            />
          </form>
        ) : null}
      </div>
    </MailboxShell>
  );
}
