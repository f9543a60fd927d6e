import Link from "next/link";
import { notFound } from "next/navigation";
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { getDb } from "@/db";
import { adminAgreementDetail, type AdminAgreementDetail } from "@/db/queries/admin-subscriptions";
import { pick, toLocale } from "@/i18n/locales";
import { requireAdmin } from "@/lib/auth/guards";
import { formatFen } from "@/lib/money";
import { CodeLabel } from "@/components/admin/code-label";
import { JsonView } from "@/components/admin/json-view";
import { SubscriptionActions } from "@/components/admin/subscription-actions";

interface Props {
  params: Promise<{ id: string }>;
}

type Attempt = AdminAgreementDetail["attempts"][number];
type PeriodOrder = AdminAgreementDetail["orders"][number];

/** Periods newest first, each with its order (if made) and its attempts (newest first). */
function periodsOf(detail: AdminAgreementDetail) {
  const periods = new Map<number, { order?: PeriodOrder; attempts: Attempt[] }>();
  const at = (n: number) => {
    let entry = periods.get(n);
    if (!entry) periods.set(n, (entry = { attempts: [] }));
    return entry;
  };
  for (const order of detail.orders) at(order.periodIndex ?? 1).order = order;
  for (const attempt of detail.attempts) at(attempt.periodIndex).attempts.push(attempt);
  return [...periods.entries()].sort(([a], [b]) => b - a);
}

/**
 * /admin/subscriptions/{id}: the agreement, its actions, a timeline of periods with their
 * orders and charge attempts, every logged exchange with Alipay (request and response), and the
 * audit rows about it. Unknown id → 404.
 */
export default async function AdminSubscriptionPage({ params }: Props) {
  await requireAdmin();
  const { id } = await params;
  const [detail, t, format, locale] = await Promise.all([
    getDb().then((db) => adminAgreementDetail(db, id)),
    getTranslations("admin.subscriptions.detail"),
    getFormatter(),
    getLocale().then(toLocale),
  ]);
  if (!detail) notFound();
  const a = detail.agreement;
  const when = (date: Date | null) =>
    date ? format.dateTime(date, { dateStyle: "medium", timeStyle: "short" }) : "—";
  const facts: [string, ReactNode][] = [
    ["buyer", detail.buyerEmail],
    ["plan", pick(locale, detail.productNameZh, detail.productNameEn)],
    ["status", <CodeLabel key="s" group="agreementStatus" code={a.status} />],
    ["amount", formatFen(a.singleAmountFen)],
    ["period", t("facts.periodDays", { days: a.periodDays })],
    ["nextCharge", a.nextChargeDate ?? "—"],
    ["currentPeriod", String(a.currentPeriod)],
    ["paidPeriods", String(a.paidPeriods)],
    ["autoRenew", a.autoRenew ? t("facts.on") : t("facts.off")],
    ["externalNo", a.externalAgreementNo],
    ["alipayNo", a.agreementNo ?? "—"],
    ["alipayUser", a.alipayUserId ?? "—"],
    ["signFlow", <CodeLabel key="f" group="signFlow" code={a.signFlow} />],
    ["signedAt", when(a.signedAt)],
    ["endedAt", when(a.unsignedAt)],
    ["created", when(a.createdAt)],
    ["postponed", a.postponedPeriod === null ? "—" : String(a.postponedPeriod)],
  ];
  const box = "space-y-3 rounded-2xl border border-stone-200 bg-white p-4";
  return (
    <div className="space-y-4" data-testid="subscription-detail" data-status={a.status}>
      <Link href="/admin/subscriptions" className="text-sm text-brand-700">
        {t("back")}
      </Link>
      <h1 className="text-xl font-bold break-all">
        {t("heading", { number: a.externalAgreementNo })}
      </h1>
      <dl className={`${box} grid gap-x-6 gap-y-2 text-sm sm:grid-cols-2`}>
        {facts.map(([key, value]) => (
          <div
            key={key}
            className="flex justify-between gap-3 sm:block"
            data-testid={`fact-${key}`}
          >
            <dt className="shrink-0 text-stone-500">{t(`facts.${key}`)}</dt>
            <dd className="min-w-0 text-right break-all sm:text-left">{value}</dd>
          </div>
        ))}
      </dl>

      <SubscriptionActions
        agreementId={a.id}
        active={a.status === "active"}
        buyerEmail={detail.buyerEmail}
      />

      <section className={box} data-testid="subscription-timeline">
        <h2 className="font-semibold">{t("timeline.title")}</h2>
        {periodsOf(detail).length === 0 ? (
          <p className="text-sm text-stone-500">{t("timeline.empty")}</p>
        ) : (
          <ol className="space-y-3">
            {periodsOf(detail).map(([n, period]) => (
              <li
                key={n}
                className="rounded-xl border border-stone-100 p-3 text-sm"
                data-testid="timeline-period"
                data-period={n}
                data-order-status={period.order?.status ?? ""}
              >
                <div className="flex flex-wrap items-baseline justify-between gap-2">
                  <span className="font-medium">{t("timeline.period", { n })}</span>
                  {period.order ? (
                    <span className="flex flex-wrap items-baseline gap-2">
                      <Link
                        href={`/admin/orders/${period.order.orderNo}`}
                        className="font-mono text-xs text-brand-700"
                      >
                        {t("timeline.order", { orderNo: period.order.orderNo })}
                      </Link>
                      <CodeLabel group="orderStatus" code={period.order.status} />
                      <span className="tabular-nums">{formatFen(period.order.amountFen)}</span>
                    </span>
                  ) : (
                    <span className="text-stone-500">{t("timeline.noOrder")}</span>
                  )}
                </div>
                {period.attempts.length === 0 ? (
                  <p className="mt-1 text-xs text-stone-500">{t("timeline.noAttempts")}</p>
                ) : (
                  <ul className="mt-2 space-y-1 border-l-2 border-stone-200 pl-3">
                    {period.attempts.map((attempt) => (
                      <li
                        key={attempt.id}
                        className="flex flex-wrap items-baseline gap-x-3 gap-y-0.5"
                        data-testid="timeline-attempt"
                        data-status={attempt.status}
                      >
                        <span>{t("timeline.attempt", { n: attempt.attemptNo })}</span>
                        <CodeLabel group="attemptStatus" code={attempt.status} />
                        {attempt.errorCode ? (
                          <CodeLabel group="alipayCode" code={attempt.errorCode} />
                        ) : null}
                        <span className="text-xs text-stone-500">{when(attempt.createdAt)}</span>
                        {attempt.status === "failed" && attempt.nextRetryAt ? (
                          <span className="text-xs text-stone-500">
                            {t("timeline.retryAt", { at: when(attempt.nextRetryAt) })}
                          </span>
                        ) : null}
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ol>
        )}
      </section>

      <section className={box} data-testid="subscription-logs">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 className="font-semibold">{t("logs.title")}</h2>
          <Link href={`/admin/deductions?agreement=${a.id}`} className="text-sm text-brand-700">
            {t("logs.all")}
          </Link>
        </div>
        {detail.logs.length === 0 ? (
          <p className="text-sm text-stone-500">{t("logs.empty")}</p>
        ) : (
          <ul className="space-y-2">
            {detail.logs.map((log) => (
              <li
                key={log.id}
                className="space-y-1 rounded-xl border border-stone-100 p-3 text-sm"
                data-testid="deduction-log"
                data-outcome={log.outcome}
                data-method={log.apiMethod}
              >
                <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
                  <CodeLabel group="alipayMethod" code={log.apiMethod} />
                  <CodeLabel group="alipayOutcome" code={log.outcome} />
                  {(log.subCode ?? log.code) ? (
                    <CodeLabel group="alipayCode" code={log.subCode ?? log.code} />
                  ) : null}
                  {log.subMessage ? (
                    <span className="text-xs text-stone-600">{log.subMessage}</span>
                  ) : null}
                </div>
                <div className="flex flex-wrap gap-x-3 text-xs text-stone-500">
                  <span>{when(log.createdAt)}</span>
                  {log.httpStatus !== null ? (
                    <span>{t("logs.http", { status: log.httpStatus })}</span>
                  ) : null}
                  {log.durationMs !== null ? (
                    <span>{t("logs.duration", { ms: log.durationMs })}</span>
                  ) : null}
                </div>
                <JsonView label={t("logs.request")} value={log.request} />
                <JsonView
                  label={t("logs.response")}
                  value={log.response}
                  open={log.outcome !== "succeeded"}
                  testId="log-response"
                />
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className={box} data-testid="subscription-audit">
        <h2 className="font-semibold">{t("audit.title")}</h2>
        {detail.audit.length === 0 ? (
          <p className="text-sm text-stone-500">{t("audit.empty")}</p>
        ) : (
          <ul className="space-y-2 text-sm">
            {detail.audit.map((row) => (
              <li
                key={row.id}
                className="space-y-1"
                data-testid="audit-row"
                data-action={row.action}
              >
                <div className="flex flex-wrap items-baseline gap-x-3">
                  <CodeLabel group="auditAction" code={row.action} />
                  <span className="text-xs text-stone-500">
                    {t("audit.by", {
                      who: row.actorEmail ?? t("audit.system"),
                      when: when(row.createdAt),
                    })}
                  </span>
                </div>
                {row.details ? <JsonView label={row.action} value={row.details} /> : null}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
