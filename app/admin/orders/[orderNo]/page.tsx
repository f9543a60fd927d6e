import Link from "next/link";
import { notFound } from "next/navigation";
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { CodeLabel } from "@/components/admin/code-label";
import { OrderActions } from "@/components/admin/orders-actions";
import { getDb } from "@/db";
import { findAdminOrder } from "@/db/queries/admin-orders";
import { pick, toLocale } from "@/i18n/locales";
import { channelOf, orderActions } from "@/lib/admin/orders";
import { requireAdmin } from "@/lib/auth/guards";
import { formatFen } from "@/lib/money";

interface Props {
  params: Promise<{ orderNo: string }>;
}

function Section({
  title,
  children,
  testId,
}: {
  title: string;
  children: ReactNode;
  testId: string;
}) {
  return (
    <section className="space-y-3" data-testid={testId}>
      <h2 className="text-lg font-semibold">{title}</h2>
      {children}
    </section>
  );
}

const card = "rounded-2xl border border-stone-200 bg-white p-4 text-sm";
const row = "flex justify-between gap-3 border-t border-stone-100 py-1.5 first:border-t-0";
const label = "shrink-0 text-stone-500";
const value = "min-w-0 text-right break-all";

/**
 * /admin/orders/<orderNo>: the order, its buyer (→ /admin/users/<id>), product and subscription
 * (→ /admin/subscriptions/<id>), its payments (provider trades), what it granted, its refunds,
 * the review reason, the actions its state allows, and every audit row about it. Unknown → 404.
 */
export default async function AdminOrderPage({ params }: Props) {
  await requireAdmin();
  const { orderNo } = await params;
  const db = await getDb();
  const detail = /^[A-Za-z0-9_]{1,64}$/.test(orderNo)
    ? await findAdminOrder(db, orderNo)
    : undefined;
  if (!detail) notFound();
  const [t, tKinds, tProviders, format, locale] = await Promise.all([
    getTranslations("admin.orders"),
    getTranslations("admin.orders.detail.audit.actorKinds"),
    getTranslations("admin.providers"),
    getFormatter(),
    getLocale().then(toLocale),
  ]);
  const { order, buyer, product, agreement, payments, grant, refunds, audit } = detail;
  const when = (date: Date | null | undefined) =>
    date
      ? format.dateTime(date, {
          dateStyle: "medium",
          timeStyle: "short",
          timeZone: "Asia/Shanghai",
        })
      : t("detail.none");
  const actions = orderActions(detail);
  const paying = payments.find((p) => p.status === "paid");
  const refundedFen = payments.reduce((sum, p) => sum + p.refundedFen, 0);
  const receivedFen = payments
    .filter((p) => p.status !== "refunded")
    .reduce((sum, p) => sum + p.amountFen - p.refundedFen, 0);
  const failed = [...refunds].reverse().find((r) => r.status === "failed" && r.method === "alipay");
  const f = (key: string) => t(`detail.fields.${key}`);

  return (
    <div className="max-w-4xl space-y-8">
      <div className="space-y-2">
        <Link href="/admin/orders" className="hover:text-brand-600 text-sm text-stone-500">
          {t("detail.back")}
        </Link>
        <h1 className="text-2xl font-bold break-all">
          {t("detail.title", { orderNo: order.orderNo })}
        </h1>
        <div className="flex flex-wrap gap-3 text-sm" data-testid="order-status">
          <CodeLabel group="orderStatus" code={order.status} />
          <CodeLabel group="orderChannel" code={channelOf(order)} />
        </div>
      </div>

      <Section title={t("detail.summary")} testId="order-summary">
        <dl className={card}>
          <div className={row}>
            <dt className={label}>{f("orderNo")}</dt>
            <dd className={`${value} font-mono text-xs`}>{order.orderNo}</dd>
          </div>
          <div className={row}>
            <dt className={label}>{f("status")}</dt>
            <dd className={value}>
              <CodeLabel group="orderStatus" code={order.status} />
            </dd>
          </div>
          <div className={row}>
            <dt className={label}>{f("kind")}</dt>
            <dd className={value}>
              <CodeLabel group="orderKind" code={order.kind} />
            </dd>
          </div>
          <div className={row}>
            <dt className={label}>{f("amount")}</dt>
            <dd className={`${value} tabular-nums`}>{formatFen(order.amountFen)}</dd>
          </div>
          {refundedFen > 0 ? (
            <div className={row}>
              <dt className={label}>{f("refunded")}</dt>
              <dd className={`${value} tabular-nums`} data-testid="order-refunded">
                {formatFen(refundedFen)}
              </dd>
            </div>
          ) : null}
          <div className={row}>
            <dt className={label}>{f("buyer")}</dt>
            <dd className={value}>
              <Link
                href={`/admin/users/${buyer.id}`}
                className="text-brand-600 hover:underline"
                data-testid="order-buyer"
              >
                {buyer.email}
              </Link>
            </dd>
          </div>
          <div className={row}>
            <dt className={label}>{f("product")}</dt>
            <dd className={value}>{pick(locale, product.nameZh, product.nameEn)}</dd>
          </div>
          {agreement ? (
            <div className={row}>
              <dt className={label}>{f("agreement")}</dt>
              <dd className={value}>
                <Link
                  href={`/admin/subscriptions/${agreement.id}`}
                  className="text-brand-600 font-mono text-xs hover:underline"
                  data-testid="order-agreement"
                >
                  {agreement.agreementNo ?? agreement.externalAgreementNo}
                </Link>
              </dd>
            </div>
          ) : null}
          {order.periodIndex ? (
            <div className={row}>
              <dt className={label}>{f("period")}</dt>
              <dd className={value}>{t("detail.periodValue", { period: order.periodIndex })}</dd>
            </div>
          ) : null}
          <div className={row}>
            <dt className={label}>{f("created")}</dt>
            <dd className={value}>{when(order.createdAt)}</dd>
          </div>
          <div className={row}>
            <dt className={label}>{f("paid")}</dt>
            <dd className={value}>{when(order.paidAt)}</dd>
          </div>
          {order.reviewReason ? (
            <div className={row}>
              <dt className={label}>{f("reviewReason")}</dt>
              <dd className={`${value} text-red-700`} data-testid="order-review-reason">
                {order.reviewReason}
              </dd>
            </div>
          ) : null}
        </dl>
      </Section>

      <OrderActions
        orderNo={order.orderNo}
        acceptReview={actions.acceptReview}
        recordRefund={actions.recordRefund}
        markRefunded={actions.markRefunded}
        alipayRefundableFen={actions.alipayRefundableFen}
        refundedFen={paying?.refundedFen ?? 0}
        receivedFen={receivedFen}
        pendingRefundId={actions.pendingRefundId}
        failedRefund={
          failed && actions.alipayRefundableFen >= failed.amountFen
            ? { id: failed.id, amountFen: failed.amountFen, code: failed.failureCode }
            : null
        }
      />

      <Section title={t("detail.payments.title")} testId="order-payments">
        {payments.length === 0 ? (
          <p className="text-sm text-stone-500">{t("detail.payments.empty")}</p>
        ) : (
          <ul className="space-y-3">
            {payments.map((p) => (
              <li key={p.id} className={card} data-testid="order-payment">
                <dl>
                  <div className={row}>
                    <dt className={label}>{t("detail.payments.tradeNo")}</dt>
                    <dd className={`${value} font-mono text-xs`}>{p.providerTradeNo}</dd>
                  </div>
                  <div className={row}>
                    <dt className={label}>{t("detail.payments.provider")}</dt>
                    <dd className={value}>{tProviders(p.provider)}</dd>
                  </div>
                  <div className={row}>
                    <dt className={label}>{t("detail.payments.status")}</dt>
                    <dd className={value}>
                      <CodeLabel group="paymentStatus" code={p.status} />
                    </dd>
                  </div>
                  <div className={row}>
                    <dt className={label}>{t("detail.payments.amount")}</dt>
                    <dd className={`${value} tabular-nums`}>{formatFen(p.amountFen)}</dd>
                  </div>
                  <div className={row}>
                    <dt className={label}>{t("detail.payments.refunded")}</dt>
                    <dd className={`${value} tabular-nums`}>{formatFen(p.refundedFen)}</dd>
                  </div>
                  <div className={row}>
                    <dt className={label}>{t("detail.payments.paidAt")}</dt>
                    <dd className={value}>{when(p.paidAt)}</dd>
                  </div>
                </dl>
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section title={t("detail.grant.title")} testId="order-grant">
        {grant ? (
          <dl className={card}>
            <div className={row}>
              <dt className={label}>{t("detail.grant.kind")}</dt>
              <dd className={value}>
                <CodeLabel group="grantKind" code={grant.kind} />
              </dd>
            </div>
            <div className={row}>
              <dt className={label}>{t("detail.grant.starts")}</dt>
              <dd className={value}>{when(grant.startsAt)}</dd>
            </div>
            {grant.expiresAt ? (
              <div className={row}>
                <dt className={label}>{t("detail.grant.expires")}</dt>
                <dd className={value} data-testid="order-grant-expires">
                  {when(grant.expiresAt)}
                </dd>
              </div>
            ) : null}
            {grant.credits ? (
              <div className={row}>
                <dt className={label}>{t("detail.grant.credits")}</dt>
                <dd className={value}>{grant.credits}</dd>
              </div>
            ) : null}
            <div className={row}>
              <dt className={label}>{t("detail.grant.state")}</dt>
              <dd
                className={`${value} ${grant.revokedAt ? "text-red-700" : "text-emerald-700"}`}
                data-testid="order-grant-state"
              >
                {grant.revokedAt
                  ? t("detail.grant.revoked", { at: when(grant.revokedAt) })
                  : t("detail.grant.live")}
              </dd>
            </div>
          </dl>
        ) : (
          <p className="text-sm text-stone-500">{t("detail.grant.none")}</p>
        )}
      </Section>

      <Section title={t("detail.refunds.title")} testId="order-refunds">
        {refunds.length === 0 ? (
          <p className="text-sm text-stone-500">{t("detail.refunds.empty")}</p>
        ) : (
          <ul className="space-y-3">
            {refunds.map((r) => (
              <li key={r.id} className={card} data-testid="order-refund">
                <dl>
                  <div className={row}>
                    <dt className={label}>{t("detail.refunds.amount")}</dt>
                    <dd className={`${value} tabular-nums`}>{formatFen(r.amountFen)}</dd>
                  </div>
                  <div className={row}>
                    <dt className={label}>{t("detail.refunds.status")}</dt>
                    <dd className={value}>
                      <CodeLabel group="refundStatus" code={r.status} />
                    </dd>
                  </div>
                  <div className={row}>
                    <dt className={label}>{t("detail.refunds.method")}</dt>
                    <dd className={value}>
                      <CodeLabel group="refundMethod" code={r.method} />
                    </dd>
                  </div>
                  {r.outRequestNo ? (
                    <div className={row}>
                      <dt className={label}>{t("detail.refunds.outRequestNo")}</dt>
                      <dd className={`${value} font-mono text-xs`}>{r.outRequestNo}</dd>
                    </div>
                  ) : null}
                  {r.failureCode ? (
                    <div className={row}>
                      <dt className={label}>{t("detail.refunds.failure")}</dt>
                      <dd className={value} data-testid="order-refund-failure">
                        <CodeLabel group="alipayCode" code={r.failureCode} />
                      </dd>
                    </div>
                  ) : null}
                  {r.note ? (
                    <div className={row}>
                      <dt className={label}>{t("detail.refunds.note")}</dt>
                      <dd className={value}>{r.note}</dd>
                    </div>
                  ) : null}
                  {r.membershipCutSeconds ? (
                    <div className={row}>
                      <dt className={label}>{t("detail.refunds.membership")}</dt>
                      <dd className={value}>
                        {t("detail.refunds.cut", {
                          days: Math.round((r.membershipCutSeconds / 86_400) * 100) / 100,
                        })}
                      </dd>
                    </div>
                  ) : null}
                  <div className={row}>
                    <dt className={label}>{t("detail.refunds.by")}</dt>
                    <dd className={value}>{r.requestedByEmail ?? t("detail.none")}</dd>
                  </div>
                  <div className={row}>
                    <dt className={label}>{t("detail.refunds.at")}</dt>
                    <dd className={value}>{when(r.createdAt)}</dd>
                  </div>
                </dl>
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section title={t("detail.audit.title")} testId="order-audit">
        {audit.length === 0 ? (
          <p className="text-sm text-stone-500">{t("detail.audit.empty")}</p>
        ) : (
          <ul className="space-y-3">
            {audit.map((entry) => (
              <li key={entry.id} className={card} data-testid="order-audit-row">
                <div className="flex flex-wrap items-baseline justify-between gap-2">
                  <CodeLabel group="auditAction" code={entry.action} />
                  <span className="text-xs text-stone-500">{when(entry.createdAt)}</span>
                </div>
                <p className="text-xs text-stone-600">
                  {entry.actorEmail ?? tKinds(entry.actorKind)}
                </p>
                {entry.details ? (
                  <pre className="mt-2 max-h-60 overflow-auto rounded-lg bg-stone-50 p-2 text-xs whitespace-pre-wrap break-all">
                    {JSON.stringify(entry.details, null, 2)}
                  </pre>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </Section>
    </div>
  );
}
