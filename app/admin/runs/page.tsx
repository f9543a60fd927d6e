import { getFormatter, getTranslations } from "next-intl/server";
import { AdminTable, cell } from "@/components/admin/table";
import { getDb } from "@/db";
import { listRuns } from "@/db/queries/billing-runs";
import { requireAdmin } from "@/lib/auth/guards";

export default async function AdminRunsPage() {
  await requireAdmin();
  const [t, format, rows] = await Promise.all([
    getTranslations("admin.runs"),
    getFormatter(),
    getDb().then((db) => listRuns(db)),
  ]);
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">{t("title")}</h1>
      <AdminTable
        isEmpty={rows.length === 0}
        empty={t("empty")}
        headers={[
          { label: t("started") },
          { label: t("job") },
          { label: t("status") },
          { label: t("claimed"), align: "right" },
          { label: t("succeeded"), align: "right" },
          { label: t("failed"), align: "right" },
          { label: t("summary") },
        ]}
      >
        {rows.map((run) => (
          <tr key={run.id} className="border-t border-stone-100" data-testid="admin-run-row">
            <td className={`${cell} whitespace-nowrap`}>
              {format.dateTime(run.startedAt, { dateStyle: "short", timeStyle: "medium" })}
            </td>
            <td className={`${cell} font-mono text-xs`}>{run.job}</td>
            <td className={cell}>{t(`statuses.${run.status}`)}</td>
            <td className={`${cell} text-right tabular-nums`}>{run.claimed}</td>
            <td className={`${cell} text-right tabular-nums`}>{run.succeeded}</td>
            <td className={`${cell} text-right tabular-nums`}>{run.failed}</td>
            <td className={`${cell} max-w-xs font-mono text-xs break-all`}>
              {run.error ?? JSON.stringify(run.summary)}
            </td>
          </tr>
        ))}
      </AdminTable>
    </div>
  );
}
