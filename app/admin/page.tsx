import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { CodeParts } from "@/components/admin/webhooks-code-parts";
import { DashboardRevenueChart } from "@/components/admin/dashboard-revenue-chart";
import { DashboardStat } from "@/components/admin/dashboard-stat";
import { getDb } from "@/db";
import { AGREEMENT_STATUSES, dashboardLinks, REVENUE_CHANNELS } from "@/lib/admin/dashboard";
import { INBOX_STUCK_MINUTES, loadDashboard } from "@/lib/admin/dashboard-overview";
import { requireAdmin } from "@/lib/auth/guards";
import { formatFen } from "@/lib/money";
import { now } from "@/lib/now";

/**
 * /admin, the overview: what earned money (30 days by channel, on the shop's clock), the
 * memberships (MRR, agreements, churn), what needs the owner (failing charges, orders in review,
 * the inbox's health), the last billing runs. Every figure links to the list behind it.
 */
export default async function AdminDashboardPage() {
  await requireAdmin();
  const db = await getDb();
  const [t, format, data] = await Promise.all([
    getTranslations("admin.overview"),
    getFormatter(),
    now().then((at) => loadDashboard(db, at)),
  ]);
  const { window, totals } = data;
  const count = (n: number) => format.number(n);
  const channelTotal = (channel: (typeof REVENUE_CHANNELS)[number]) =>
    data.series.reduce((sum, day) => sum + day[channel], 0);
  const attention = [
    {
      key: "failing",
      value: data.failing,
      href: dashboardLinks.failing(),
    },
    { key: "review", value: data.ordersInReview, href: dashboardLinks.ordersInReview() },
    { key: "inboxFailed", value: data.inbox.failed, href: dashboardLinks.webhooks("failed") },
    { key: "inboxDead", value: data.inbox.dead, href: dashboardLinks.webhooks("dead") },
    { key: "inboxStuck", value: data.inboxStuck, href: dashboardLinks.webhooks("received") },
  ] as const;
  const needsOwner = attention.some((item) => item.value > 0);

  return (
    <div className="min-w-0 space-y-8" data-testid="admin-overview">
      <header className="space-y-1">
        <h1 className="text-2xl font-bold">{t("title")}</h1>
        <p
          className="text-xs text-stone-500"
          data-testid="overview-as-of"
          data-today={window.today}
        >
          {t("asOf", {
            time: format.dateTime(data.now, { dateStyle: "medium", timeStyle: "short" }),
          })}
        </p>
      </header>

      <section className="space-y-3" aria-labelledby="overview-attention">
        <h2 id="overview-attention" className="text-lg font-semibold">
          {t("attention.title")}
        </h2>
        {needsOwner ? null : <p className="text-sm text-stone-600">{t("attention.allClear")}</p>}
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5">
          {attention.map((item) => (
            <DashboardStat
              key={item.key}
              testId={`overview-${item.key}`}
              label={t(`attention.${item.key}`, { minutes: INBOX_STUCK_MINUTES })}
              value={count(item.value)}
              href={item.href}
              alert={item.value > 0}
            />
          ))}
        </div>
      </section>

      <section className="space-y-3" aria-labelledby="overview-revenue">
        <h2 id="overview-revenue" className="text-lg font-semibold">
          {t("revenue.title")}
        </h2>
        <div className="grid grid-cols-1 gap-2 sm:grid-cols-3 sm:gap-3">
          <DashboardStat
            testId="overview-revenue-today"
            compact
            label={t("revenue.today")}
            value={formatFen(totals.todayFen)}
            href={dashboardLinks.paidOrders(null, window.today, window.today)}
          />
          <DashboardStat
            testId="overview-revenue-7"
            compact
            label={t("revenue.last7")}
            value={formatFen(totals.last7Fen)}
            href={dashboardLinks.paidOrders(null, window.from7, window.today)}
          />
          <DashboardStat
            testId="overview-revenue-30"
            compact
            label={t("revenue.last30")}
            value={formatFen(totals.last30Fen)}
            href={dashboardLinks.paidOrders(null, window.from30, window.today)}
          />
        </div>
        <div className="grid grid-cols-1 gap-2 sm:grid-cols-3 sm:gap-3">
          {REVENUE_CHANNELS.map((channel) => (
            <DashboardStat
              key={channel}
              testId={`overview-channel-${channel}`}
              compact
              label={t("revenue.channel30", { channel: t(`channels.${channel}`) })}
              value={formatFen(channelTotal(channel))}
              href={dashboardLinks.paidOrders(channel, window.from30, window.today)}
            />
          ))}
        </div>
        <div className="min-w-0 rounded-2xl border border-stone-200 bg-white p-3 sm:p-4">
          <DashboardRevenueChart series={data.series} />
        </div>
      </section>

      <section className="space-y-3" aria-labelledby="overview-members">
        <h2 id="overview-members" className="text-lg font-semibold">
          {t("members.title")}
        </h2>
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-3">
          <DashboardStat
            testId="overview-members"
            label={t("members.active")}
            value={count(data.activeMembers)}
            href={dashboardLinks.agreements("active")}
          />
          <DashboardStat
            testId="overview-mrr"
            label={t("members.mrr")}
            value={formatFen(data.mrrFen)}
            hint={t("members.mrrHint", { count: data.activeAgreements })}
            href={dashboardLinks.agreements("active")}
          />
          <DashboardStat
            testId="overview-churn"
            label={t("members.churn")}
            value={count(data.churn.churned)}
            hint={
              data.churn.rate === null
                ? t("members.churnNoBase")
                : t("members.churnRate", {
                    rate: format.number(data.churn.rate, {
                      style: "percent",
                      maximumFractionDigits: 1,
                    }),
                    base: data.churn.base,
                  })
            }
            href={dashboardLinks.churn(data.churn.from)}
          />
        </div>
        <h3 className="text-sm font-medium text-stone-700">{t("members.agreements")}</h3>
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
          {AGREEMENT_STATUSES.map((status) => (
            <DashboardStat
              key={status}
              testId={`overview-agreements-${status}`}
              label={t(`agreementStatus.${status}`)}
              value={count(data.agreementsByStatus[status])}
              href={dashboardLinks.agreements(status)}
            />
          ))}
        </div>
      </section>

      <section className="space-y-3" aria-labelledby="overview-runs">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="overview-runs" className="text-lg font-semibold">
            {t("runs.title")}
          </h2>
          <Link href={dashboardLinks.runs()} className="text-sm text-brand-600 hover:underline">
            {t("runs.all")}
          </Link>
        </div>
        {data.lastBillingRuns.length === 0 ? (
          <p className="text-sm text-stone-600">{t("runs.empty")}</p>
        ) : (
          <ul className="divide-y divide-stone-100 rounded-2xl border border-stone-200 bg-white">
            {data.lastBillingRuns.map((run) => (
              <li key={run.id}>
                <Link
                  href={dashboardLinks.run(run.id)}
                  className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1 p-3 text-sm hover:bg-stone-50"
                  data-testid="overview-run"
                >
                  <span className="flex min-w-0 flex-wrap items-baseline gap-x-2">
                    <CodeParts
                      parts={[
                        { group: "runJob", code: run.job },
                        { group: "runStatus", code: run.status },
                      ]}
                    />
                    {run.dryRun ? (
                      <span className="text-xs text-stone-500">{t("runs.dryRun")}</span>
                    ) : null}
                  </span>
                  <span className="text-xs text-stone-600 tabular-nums">
                    {t("runs.counts", {
                      claimed: run.claimed,
                      succeeded: run.succeeded,
                      failed: run.failed,
                    })}
                    {" · "}
                    {format.dateTime(run.startedAt, { dateStyle: "short", timeStyle: "short" })}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
