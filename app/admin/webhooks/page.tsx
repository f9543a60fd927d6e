import { getFormatter, getTranslations } from "next-intl/server";
import { StatusFilter } from "@/components/admin/status-filter";
import { AdminTable, cell } from "@/components/admin/table";
import { getDb } from "@/db";
import { listInbox, toInboxStatus } from "@/db/queries/webhook-inbox";
import { inboxStatus } from "@/db/schema";
import { requireAdmin } from "@/lib/auth/guards";

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export default async function AdminWebhooksPage({ searchParams }: Props) {
  await requireAdmin();
  const status = toInboxStatus((await searchParams).status);
  const [t, tAdmin, format, rows] = await Promise.all([
    getTranslations("admin.webhooks"),
    getTranslations("admin"),
    getFormatter(),
    getDb().then((db) => listInbox(db, { status })),
  ]);
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">{t("title")}</h1>
      <StatusFilter
        basePath="/admin/webhooks"
        statuses={inboxStatus.enumValues}
        current={status}
        allLabel={t("all")}
        label={(s) => t(`status.${s}`)}
      />
      <AdminTable
        isEmpty={rows.length === 0}
        empty={t("empty")}
        headers={[
          { label: t("received") },
          { label: t("provider") },
          { label: t("type") },
          { label: t("statusLabel") },
          { label: t("outcome") },
          { label: t("deliveries"), align: "right" },
        ]}
      >
        {rows.map((row) => (
          <tr key={row.id} className="border-t border-stone-100" data-testid="admin-inbox-row">
            <td className={`${cell} whitespace-nowrap`}>
              {format.dateTime(row.receivedAt, { dateStyle: "short", timeStyle: "medium" })}
            </td>
            <td className={cell}>{tAdmin(`providers.${row.provider}`)}</td>
            <td className={`${cell} font-mono text-xs`}>{row.eventType ?? "—"}</td>
            <td className={cell}>{t(`status.${row.status}`)}</td>
            <td className={`${cell} font-mono text-xs`}>
              {row.outcome ?? "—"}
              {row.lastError ? <p className="text-red-700">{row.lastError.slice(0, 200)}</p> : null}
            </td>
            <td className={`${cell} text-right tabular-nums`}>{row.deliveries}</td>
          </tr>
        ))}
      </AdminTable>
    </div>
  );
}
