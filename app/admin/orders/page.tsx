import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import { ExportForm } from "@/components/admin/export-form";
import { StatusFilter } from "@/components/admin/status-filter";
import { AdminTable, cell } from "@/components/admin/table";
import { getDb } from "@/db";
import { listOrdersForAdmin, toOrderStatus } from "@/db/queries/orders";
import { orderStatus } from "@/db/schema";
import { pick, toLocale } from "@/i18n/locales";
import { requireAdmin } from "@/lib/auth/guards";
import { formatFen } from "@/lib/money";

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export default async function AdminOrdersPage({ searchParams }: Props) {
  await requireAdmin();
  const status = toOrderStatus((await searchParams).status);
  const [t, tStatus, format, locale, rows] = await Promise.all([
    getTranslations("admin.orders"),
    getTranslations("orderStatus"),
    getFormatter(),
    getLocale().then(toLocale),
    getDb().then((db) => listOrdersForAdmin(db, { status })),
  ]);
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">{t("title")}</h1>
      <StatusFilter
        basePath="/admin/orders"
        statuses={orderStatus.enumValues}
        current={status}
        allLabel={t("all")}
        label={(s) => tStatus(s)}
      />
      <AdminTable
        isEmpty={rows.length === 0}
        empty={t("empty")}
        headers={[
          { label: t("orderNo") },
          { label: t("product") },
          { label: t("buyer") },
          { label: t("amount"), align: "right" },
          { label: t("status") },
          { label: t("created") },
        ]}
      >
        {rows.map(({ order, productNameZh, productNameEn, buyerEmail }) => (
          <tr key={order.id} className="border-t border-stone-100" data-testid="admin-order-row">
            <td className={`${cell} font-mono text-xs`}>{order.orderNo}</td>
            <td className={cell}>{pick(locale, productNameZh, productNameEn)}</td>
            <td className={`${cell} break-all`}>{buyerEmail}</td>
            <td className={`${cell} text-right tabular-nums`}>{formatFen(order.amountFen)}</td>
            <td className={cell}>
              {tStatus(order.status)}
              {order.reviewReason ? (
                <p className="text-xs text-red-700">{order.reviewReason}</p>
              ) : null}
            </td>
            <td className={`${cell} whitespace-nowrap`}>
              {format.dateTime(order.createdAt, { dateStyle: "short", timeStyle: "short" })}
            </td>
          </tr>
        ))}
      </AdminTable>
      <ExportForm kind="orders" />
    </div>
  );
}
