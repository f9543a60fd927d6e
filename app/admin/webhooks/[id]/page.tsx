import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { getFormatter, getTranslations } from "next-intl/server";
import { CodeParts } from "@/components/admin/webhooks-code-parts";
import { WebhooksReprocess } from "@/components/admin/webhooks-reprocess";
import { getDb } from "@/db";
import { inboxDetail } from "@/lib/admin/inbox";
import { eventTypeParts, outcomeParts } from "@/lib/admin/inbox-codes";
import { requireAdmin } from "@/lib/auth/guards";

interface Props {
  params: Promise<{ id: string }>;
}

/**
 * /admin/webhooks/[id]: one delivery — what it was, how it went, its payload and headers with
 * every signature, token, key and phone number hidden — and "process again" when it failed.
 */
export default async function AdminWebhookPage({ params }: Props) {
  await requireAdmin();
  const { id } = await params;
  const [t, tProvider, format, row] = await Promise.all([
    getTranslations("admin.inbox"),
    getTranslations("admin.providers"),
    getFormatter(),
    getDb().then((db) => inboxDetail(db, id)),
  ]);
  if (!row) notFound();
  const when = (iso: string | null) =>
    iso
      ? format.dateTime(new Date(iso), { dateStyle: "medium", timeStyle: "medium" })
      : t("detail.none");
  const facts: { key: string; label: string; value: ReactNode }[] = [
    { key: "provider", label: t("columns.provider"), value: tProvider(row.provider) },
    {
      key: "kind",
      label: t("columns.kind"),
      value: <CodeParts parts={eventTypeParts(row.eventType, row.provider)} />,
    },
    {
      key: "signature",
      label: t("columns.signature"),
      value: row.signatureValid ? t("signature.valid") : t("signature.invalid"),
    },
    {
      key: "status",
      label: t("columns.status"),
      value: (
        <CodeParts parts={[{ group: "inboxStatus", code: row.status }]} testId="inbox-status" />
      ),
    },
    {
      key: "outcome",
      label: t("columns.outcome"),
      value: <CodeParts parts={outcomeParts(row.outcome, row.provider)} testId="inbox-outcome" />,
    },
    {
      key: "attempts",
      label: t("columns.attempts"),
      value: t("attemptsValue", { attempts: row.attempts, deliveries: row.deliveries }),
    },
    { key: "received", label: t("columns.received"), value: when(row.receivedAt) },
    { key: "processed", label: t("detail.processedAt"), value: when(row.processedAt) },
    { key: "eventKey", label: t("detail.eventKey"), value: row.eventKey ?? t("detail.none") },
    {
      key: "bytes",
      label: t("detail.bodyBytes"),
      value:
        row.bodyBytes === null ? t("detail.none") : t("detail.bytes", { bytes: row.bodyBytes }),
    },
    { key: "sha256", label: t("detail.sha256"), value: row.bodySha256 ?? t("detail.none") },
    { key: "client", label: t("detail.client"), value: row.clientAddress ?? t("detail.none") },
  ];
  const pre =
    "max-h-[32rem] overflow-auto rounded-xl bg-stone-900 p-3 font-mono text-xs whitespace-pre-wrap break-all text-stone-100";
  return (
    <div className="min-w-0 space-y-6" data-testid="inbox-detail" data-status={row.status}>
      <div className="space-y-1">
        <Link href="/admin/webhooks" className="text-sm text-brand-600 hover:underline">
          {t("detail.back")}
        </Link>
        <h1 className="text-2xl font-bold">{t("detail.title")}</h1>
        <p className="font-mono text-xs break-all text-stone-500">{row.id}</p>
      </div>

      <dl className="grid grid-cols-1 gap-x-6 gap-y-2 rounded-2xl border border-stone-200 bg-white p-4 text-sm sm:grid-cols-2">
        {facts.map((fact) => (
          <div key={fact.key} className="flex min-w-0 flex-col gap-0.5">
            <dt className="text-xs text-stone-500">{fact.label}</dt>
            <dd className="min-w-0 break-all">{fact.value}</dd>
          </div>
        ))}
      </dl>

      {row.lastError ? (
        <section className="space-y-2">
          <h2 className="text-sm font-semibold">{t("detail.lastError")}</h2>
          <pre className={pre}>{row.lastError}</pre>
        </section>
      ) : null}

      <section className="space-y-2 rounded-2xl border border-stone-200 bg-white p-4">
        <h2 className="text-sm font-semibold">{t("reprocess.title")}</h2>
        <WebhooksReprocess id={row.id} available={row.canReprocess} />
      </section>

      <section className="space-y-2">
        <h2 className="text-sm font-semibold">{t("detail.payload")}</h2>
        <p className="text-xs text-stone-500">
          {t(`detail.format.${row.payload.format}`)}
          {" · "}
          {t("detail.redacted", { count: row.payload.redacted })}
        </p>
        <pre className={pre} data-testid="inbox-payload">
          {row.payload.format === "text"
            ? row.payload.value
            : JSON.stringify(row.payload.value, null, 2)}
        </pre>
      </section>

      <section className="space-y-2">
        <h2 className="text-sm font-semibold">{t("detail.headers")}</h2>
        <pre className={pre} data-testid="inbox-headers">
          {row.headers === null ? t("detail.none") : JSON.stringify(row.headers, null, 2)}
        </pre>
      </section>
    </div>
  );
}
