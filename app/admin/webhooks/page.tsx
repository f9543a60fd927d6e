import { getFormatter, getTranslations } from "next-intl/server";
import { Pager } from "@/components/admin/pager";
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
  const params = await searchParams;
  const status = toInboxStatus(params.status);
  const page = pageNumber(params.page);
  const [t, tAdmin, format, { rows, hasMore }] = await Promise.all([
    getTranslations("admin.webhooks"),
    getTranslations("admin"),
    getFormatter(),
    // Capped fields only: bodies are never read for this page.
    getDb().then((db) => listInbox(db, { status, page })),
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
              {row.bodyBytes !== null && !row.signatureValid ? (
                <p className="text-stone-500">{t("bodyBytes", { bytes: row.bodyBytes })}</p>
              ) : null}
            </td>
            <td className={`${cell} text-right tabular-nums`}>{row.deliveries}</td>
          </tr>
        ))}
      </AdminTable>
      <Pager
        basePath="/admin/webhooks"
        params={{ status }}
        page={page}
        hasMore={hasMore}
        previousLabel={t("previous")}
        nextLabel={t("next")}
        pageLabel={t("page", { page })}
      />
    </div>
  );
}

/** `?page=` as a page number from 1; anything else (absent, garbage, huge) is page 1 or capped. */
function pageNumber(value: string | string[] | undefined): number {
  const n = typeof value === "string" && /^\d{1,6}$/.test(value) ? Number(value) : 1;
  return Math.max(1, n);
}
