import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { BillingClockPanel } from "@/components/admin/billing-clock-panel";
import { ExportForm } from "@/components/admin/export-form";
import { AdminTable, cell } from "@/components/admin/table";
import { getDb } from "@/db";
import { listRunsByJobPrefix } from "@/db/queries/billing-runs";
import { requireAdmin } from "@/lib/auth/guards";
import { DAY_MS, readShopTime } from "@/lib/billing/admin";
import { BUSINESS_TIME_ZONE, shanghaiDate } from "@/lib/clock";
import { getEnv } from "@/lib/env";

/**
 * /admin/billing: the shop's time now (the sandbox's virtual clock and its offset in sandbox
 * mode), the recent billing runs, and in sandbox mode the panel that moves the clock and runs
 * any phase now.
 */
export default async function AdminBillingPage() {
  await requireAdmin();
  const { isSandbox } = getEnv();
  const db = await getDb();
  const [t, tStatus, tMail, format, rows, time] = await Promise.all([
    getTranslations("admin.billing"),
    getTranslations("admin.runs.statuses"),
    getTranslations("sandboxMail"),
    getFormatter(),
    listRunsByJobPrefix(db, "billing:"),
    readShopTime(db, isSandbox),
  ]);
  const offsetDays = format.number(time.offsetMs / DAY_MS, { maximumFractionDigits: 2 });
  const counts = ["processed", "charged", "declined", "postponed", "unknown"] as const;
  return (
    <div className="space-y-6">
      <div className="space-y-1">
        <h1 className="text-2xl font-bold">{t("title")}</h1>
        <p className="text-sm text-stone-600">{t("intro")}</p>
      </div>

      <section
        className="space-y-1 rounded-2xl border border-stone-200 bg-white p-4"
        data-testid="billing-shop-time"
        data-offset-ms={time.offsetMs}
        data-date={shanghaiDate(time.now)}
      >
        <h2 className="text-xs text-stone-500">{t("time.title")}</h2>
        <p className="text-xl font-semibold tabular-nums" data-testid="billing-shop-now">
          {format.dateTime(time.now, {
            year: "numeric",
            month: "2-digit",
            day: "2-digit",
            weekday: "short",
            hour: "2-digit",
            minute: "2-digit",
            second: "2-digit",
            timeZone: BUSINESS_TIME_ZONE,
          })}
        </p>
        <p className="text-xs text-stone-500">{t("time.zone")}</p>
        <p className="text-sm text-stone-700" data-testid="billing-clock-offset">
          {time.virtual ? t("time.virtual", { days: offsetDays }) : t("time.live")}
        </p>
      </section>

      {isSandbox ? <BillingClockPanel /> : null}
      {isSandbox ? (
        // The sandbox's mailbox: the mail the notices "sent" (renewal reminders, receipts…).
        <p className="text-sm">
          <Link
            href="/sandbox/mail"
            className="text-brand-600 underline hover:text-brand-700"
            data-testid="sandbox-mail-link"
          >
            {tMail("link")}
          </Link>
        </p>
      ) : null}

      <section className="space-y-2">
        <h2 className="text-lg font-semibold">{t("runs.title")}</h2>
        <AdminTable
          isEmpty={rows.length === 0}
          empty={t("runs.empty")}
          headers={[
            { label: t("runs.started") },
            { label: t("runs.job") },
            { label: t("runs.status") },
            { label: t("runs.dryRun") },
            ...counts.map((key) => ({ label: t(`runs.${key}`), align: "right" as const })),
          ]}
        >
          {rows.map((run) => (
            <tr
              key={run.id}
              className="border-t border-stone-100"
              data-testid="billing-run-row"
              data-job={run.job}
              data-dry-run={run.dryRun ? "true" : "false"}
            >
              <td className={`${cell} whitespace-nowrap`}>
                {format.dateTime(run.startedAt, {
                  dateStyle: "short",
                  timeStyle: "medium",
                  timeZone: BUSINESS_TIME_ZONE,
                })}
              </td>
              <td className={`${cell} font-mono text-xs whitespace-nowrap`}>{run.job}</td>
              <td className={`${cell} whitespace-nowrap`}>{tStatus(run.status)}</td>
              <td className={cell}>{run.dryRun ? t("runs.yes") : t("runs.no")}</td>
              <td className={`${cell} text-right tabular-nums`}>{run.claimed}</td>
              <td className={`${cell} text-right tabular-nums`}>{run.succeeded}</td>
              <td className={`${cell} text-right tabular-nums`}>{run.failed}</td>
              <td className={`${cell} text-right tabular-nums`}>{run.postponed}</td>
              <td className={`${cell} text-right tabular-nums`}>{run.unknown}</td>
            </tr>
          ))}
        </AdminTable>
      </section>

      <ExportForm kind="deductions" />
    </div>
  );
}
