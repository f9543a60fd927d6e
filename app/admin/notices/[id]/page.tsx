import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { getFormatter, getTranslations } from "next-intl/server";
import { CodeLabel } from "@/components/admin/code-label";
import { JsonView } from "@/components/admin/json-view";
import { NoticeResend } from "@/components/admin/notices-resend";
import {
  NoticeRecipient,
  NoticeSkipReason,
  NoticeStatusLabel,
} from "@/components/admin/notices-status";
import { getDb } from "@/db";
import { requireAdmin } from "@/lib/auth/guards";
import { noticeDetail } from "@/lib/admin/notices";

interface Props {
  params: Promise<{ id: string }>;
}

/**
 * /admin/notices/[id]: one notice — every field, its error in full, the data its template is
 * given (sealed values masked) — and "send again" for a failed, skipped or sent one.
 */
export default async function AdminNoticePage({ params }: Props) {
  await requireAdmin();
  const { id } = await params;
  const [t, format, row] = await Promise.all([
    getTranslations("admin.notices"),
    getFormatter(),
    getDb().then((db) => noticeDetail(db, id)),
  ]);
  if (!row) notFound();
  const when = (iso: string | null) =>
    iso
      ? format.dateTime(new Date(iso), {
          dateStyle: "medium",
          timeStyle: "medium",
          timeZone: "Asia/Shanghai",
        })
      : t("detail.none");
  const facts: { key: string; label: string; value: ReactNode }[] = [
    {
      key: "status",
      label: t("columns.status"),
      value: <NoticeStatusLabel status={row.status} />,
    },
    {
      key: "kind",
      label: t("columns.kind"),
      value: <CodeLabel group="noticeKind" code={row.kind} />,
    },
    {
      key: "channel",
      label: t("columns.channel"),
      value: <CodeLabel group="noticeChannel" code={row.channel} />,
    },
    {
      key: "recipient",
      label: t("columns.recipient"),
      value: <NoticeRecipient recipient={row.recipient} />,
    },
    { key: "subject", label: t("columns.subject"), value: row.subject ?? t("list.noSubject") },
    { key: "attempts", label: t("columns.attempts"), value: row.attempts },
    { key: "created", label: t("columns.created"), value: when(row.createdAt) },
    { key: "sent", label: t("columns.sent"), value: when(row.sentAt) },
    // When it is tried next and who holds it: only while it waits to be sent.
    ...(row.status === "pending"
      ? [{ key: "nextAttempt", label: t("detail.nextAttempt"), value: when(row.nextAttemptAt) }]
      : []),
    ...(row.claimedUntil
      ? [{ key: "claimedUntil", label: t("detail.claimedUntil"), value: when(row.claimedUntil) }]
      : []),
    { key: "updated", label: t("detail.updated"), value: when(row.updatedAt) },
    {
      key: "skipReason",
      label: t("detail.skipReason"),
      value: row.skipReason ? <NoticeSkipReason reason={row.skipReason} /> : t("detail.none"),
    },
    {
      key: "user",
      label: t("detail.user"),
      value: row.userId ? (
        <Link
          href={`/admin/users/${row.userId}`}
          className="font-mono text-xs text-brand-600 hover:underline"
        >
          {row.userId}
        </Link>
      ) : (
        t("detail.none")
      ),
    },
    {
      key: "eventKey",
      label: t("detail.eventKey"),
      value: <code className="font-mono text-xs">{row.eventKey}</code>,
    },
    { key: "locale", label: t("detail.locale"), value: row.locale },
    {
      key: "messageId",
      label: t("detail.messageId"),
      value: row.messageId ? (
        <code className="font-mono text-xs">{row.messageId}</code>
      ) : (
        t("detail.none")
      ),
    },
  ];
  return (
    <div className="min-w-0 space-y-6" data-testid="notice-detail" data-status={row.status}>
      <div className="space-y-1">
        <Link href="/admin/notices" className="text-sm text-brand-600 hover:underline">
          {t("detail.back")}
        </Link>
        <h1 className="text-2xl font-bold">{t("detail.title")}</h1>
        <p className="font-mono text-xs break-all text-stone-500">{row.id}</p>
      </div>

      <dl className="grid grid-cols-1 gap-x-6 gap-y-2 rounded-2xl border border-stone-200 bg-white p-4 text-sm sm:grid-cols-2">
        {facts.map((fact) => (
          <div
            key={fact.key}
            className="flex min-w-0 flex-col gap-0.5"
            data-testid={`notice-${fact.key}`}
          >
            <dt className="text-xs text-stone-500">{fact.label}</dt>
            <dd className="min-w-0 break-words">{fact.value}</dd>
          </div>
        ))}
      </dl>

      {row.lastError ? (
        <section className="space-y-2">
          <h2 className="text-sm font-semibold">{t("detail.lastError")}</h2>
          <pre
            className="max-h-80 overflow-auto rounded-xl bg-stone-900 p-3 font-mono text-xs break-all whitespace-pre-wrap text-stone-100"
            data-testid="notice-last-error"
          >
            {row.lastError}
          </pre>
        </section>
      ) : null}

      <section className="space-y-2 rounded-2xl border border-stone-200 bg-white p-4">
        <h2 className="text-sm font-semibold">{t("resend.title")}</h2>
        <NoticeResend
          id={row.id}
          status={row.status}
          recipient={row.recipient}
          refusal={row.resendRefusal}
        />
      </section>

      <JsonView label={t("detail.data")} value={row.data} open testId="notice-data" />
    </div>
  );
}
