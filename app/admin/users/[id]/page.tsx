import Link from "next/link";
import { notFound } from "next/navigation";
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { CodeLabel } from "@/components/admin/code-label";
import { UserCreditsPanel } from "@/components/admin/users-credits-panel";
import { UserRoleForm } from "@/components/admin/users-role-form";
import { getDb } from "@/db";
import { agreementsOfUser, ordersOfUser } from "@/db/queries/admin-users";
import { membershipOf } from "@/db/queries/entitlements";
import { findUserById } from "@/db/queries/users";
import { pick, toLocale } from "@/i18n/locales";
import { requireAdmin } from "@/lib/auth/guards";
import { creditSummary } from "@/lib/credits/ledger";
import { formatFen } from "@/lib/money";
import { now } from "@/lib/now";

interface Props {
  params: Promise<{ id: string }>;
}

/** How many of a buyer's orders the page lists (the orders list has them all). */
const ORDERS_SHOWN = 50;

function Card({ title, children, testId }: { title: string; children: ReactNode; testId: string }) {
  return (
    <section className="space-y-3" data-testid={testId}>
      <h2 className="text-lg font-semibold">{title}</h2>
      {children}
    </section>
  );
}

/**
 * /admin/users/<id>: who the user is, their role (and the change, confirmed), and the buyer's
 * side: orders (→ /admin/orders/<orderNo>), agreements (→ /admin/subscriptions/<id>), the
 * membership's end, and the credits: balance, ledger and "record a use" (issue #12). Unknown
 * id → 404.
 */
export default async function AdminUserPage({ params }: Props) {
  const admin = await requireAdmin();
  const { id } = await params;
  const db = await getDb();
  const user = /^[\w-]{1,64}$/.test(id) ? await findUserById(db, id) : undefined;
  if (!user) notFound();
  const [t, format, locale, orders, agreements, membership, credits, at] = await Promise.all([
    getTranslations("admin.catalog.users"),
    getFormatter(),
    getLocale().then(toLocale),
    ordersOfUser(db, user.id, ORDERS_SHOWN),
    agreementsOfUser(db, user.id),
    membershipOf(db, user.id),
    creditSummary(db, user.id),
    now(),
  ]);
  const when = (date: Date) =>
    format.dateTime(date, { dateStyle: "medium", timeStyle: "short", timeZone: "Asia/Shanghai" });
  const row = "flex justify-between gap-3 border-t border-stone-100 py-1.5 first:border-t-0";
  return (
    <div className="max-w-3xl space-y-8">
      <div className="space-y-2">
        <Link href="/admin/users" className="text-sm text-stone-500 hover:text-brand-600">
          {t("back")}
        </Link>
        <h1 className="text-2xl font-bold break-all" data-testid="user-email">
          {user.email}
        </h1>
      </div>
      <Card title={t("details")} testId="user-details">
        <dl className="rounded-2xl border border-stone-200 bg-white p-4 text-sm">
          <div className={row}>
            <dt className="text-stone-500">{t("name")}</dt>
            <dd className="min-w-0 text-right break-all">{user.name ?? t("noName")}</dd>
          </div>
          <div className={row}>
            <dt className="text-stone-500">{t("id")}</dt>
            <dd className="font-mono text-xs break-all">{user.id}</dd>
          </div>
          <div className={row}>
            <dt className="text-stone-500">{t("joined")}</dt>
            <dd>{when(user.createdAt)}</dd>
          </div>
          <div className={row}>
            <dt className="text-stone-500">{t("membership")}</dt>
            <dd data-testid="user-membership">
              {membership.endsAt === null
                ? t("membershipNone")
                : membership.endsAt > at
                  ? t("membershipUntil", { date: when(membership.endsAt) })
                  : t("membershipEnded", { date: when(membership.endsAt) })}
            </dd>
          </div>
        </dl>
      </Card>
      <UserRoleForm userId={user.id} role={user.role} isSelf={user.id === admin.id} />
      <UserCreditsPanel userId={user.id} summary={credits} />
      <Card title={t("orders")} testId="user-orders">
        {orders.length === 0 ? (
          <p className="text-sm text-stone-500">{t("ordersEmpty")}</p>
        ) : (
          <>
            {orders.length === ORDERS_SHOWN ? (
              <p className="text-xs text-stone-500">{t("ordersLatest", { count: ORDERS_SHOWN })}</p>
            ) : null}
            <ul className="space-y-2">
              {orders.map((order) => (
                <li
                  key={order.orderNo}
                  className="rounded-2xl border border-stone-200 bg-white p-3 text-sm"
                >
                  <div className="flex flex-wrap items-baseline justify-between gap-2">
                    <Link
                      href={`/admin/orders/${order.orderNo}`}
                      className="font-mono text-xs text-brand-600 hover:underline"
                    >
                      {order.orderNo}
                    </Link>
                    <span className="tabular-nums">{formatFen(order.amountFen)}</span>
                  </div>
                  <div className="flex flex-wrap items-baseline justify-between gap-2 text-stone-600">
                    <span>{pick(locale, order.productNameZh, order.productNameEn)}</span>
                    <CodeLabel group="orderStatus" code={order.status} />
                  </div>
                  <div className="text-xs text-stone-500">{when(order.createdAt)}</div>
                </li>
              ))}
            </ul>
          </>
        )}
      </Card>
      <Card title={t("agreements")} testId="user-agreements">
        {agreements.length === 0 ? (
          <p className="text-sm text-stone-500">{t("agreementsEmpty")}</p>
        ) : (
          <ul className="space-y-2">
            {agreements.map((agreement) => (
              <li
                key={agreement.id}
                className="rounded-2xl border border-stone-200 bg-white p-3 text-sm"
              >
                <div className="flex flex-wrap items-baseline justify-between gap-2">
                  <Link
                    href={`/admin/subscriptions/${agreement.id}`}
                    className="font-mono text-xs text-brand-600 hover:underline"
                  >
                    {agreement.externalAgreementNo}
                  </Link>
                  <CodeLabel group="agreementStatus" code={agreement.status} />
                </div>
                <div className="text-stone-600">
                  {pick(locale, agreement.productNameZh, agreement.productNameEn)}
                </div>
                <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-3 text-xs text-stone-600">
                  <dt>{t("singleAmount")}</dt>
                  <dd className="tabular-nums">{formatFen(agreement.singleAmountFen)}</dd>
                  <dt>{t("nextCharge")}</dt>
                  <dd>{agreement.nextChargeDate ?? t("noName")}</dd>
                  <dt>{t("paidPeriods")}</dt>
                  <dd>{agreement.paidPeriods}</dd>
                </dl>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
