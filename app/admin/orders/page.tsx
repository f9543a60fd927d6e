import { getTranslations } from "next-intl/server";
import { ExportForm } from "@/components/admin/export-form";
import { OrdersTable, type OrdersFilter } from "@/components/admin/orders-table";
import { getDb } from "@/db";
import { ORDER_CHANNELS } from "@/db/queries/admin-orders";
import { orderKind, orderStatus } from "@/db/schema";
import { parseQuery } from "@/lib/admin/query";
import { orderListQuery, ordersPage, type OrderListQuery } from "@/lib/admin/orders";
import { requireAdmin } from "@/lib/auth/guards";
import { isAppError } from "@/lib/errors";

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

const KEYS = ["status", "channel", "kind", "from", "to", "q", "cursor", "limit"] as const;

/**
 * /admin/orders: filters, search and keyset pages (the first page rendered here, the next from
 * the JSON API). The query string is the contract the dashboard links with, e.g.
 * `?channel=alipay_renewal&status=paid&from=2026-11-01&to=2026-11-30`.
 */
export default async function AdminOrdersPage({ searchParams }: Props) {
  await requireAdmin();
  const raw = await searchParams;
  const params = new URLSearchParams();
  for (const key of KEYS) {
    const value = raw[key];
    if (typeof value === "string") params.set(key, value);
  }
  // A hand-edited URL with a bad filter or cursor shows the whole list, not an error page.
  let query: OrderListQuery;
  try {
    query = parseQuery(params, orderListQuery);
  } catch (error) {
    if (!isAppError(error, "bad_request")) throw error;
    query = parseQuery(new URLSearchParams(), orderListQuery);
  }
  const db = await getDb();
  let page;
  try {
    page = await ordersPage(db, query);
  } catch (error) {
    if (!isAppError(error, "bad_request")) throw error;
    query = { ...query, cursor: undefined };
    page = await ordersPage(db, query);
  }
  const t = await getTranslations("admin.orders");
  const initial: OrdersFilter = {
    status: query.status ?? "",
    channel: query.channel ?? "",
    kind: query.kind ?? "",
    from: query.from ?? "",
    to: query.to ?? "",
    q: query.q ?? "",
    cursor: query.cursor ?? "",
  };
  return (
    <div className="space-y-4">
      <div className="space-y-1">
        <h1 className="text-2xl font-bold">{t("title")}</h1>
        <p className="text-sm text-stone-600">{t("intro")}</p>
      </div>
      <OrdersTable
        initial={initial}
        page={page}
        statuses={orderStatus.enumValues}
        channels={ORDER_CHANNELS}
        kinds={orderKind.enumValues}
      />
      <ExportForm kind="orders" />
    </div>
  );
}
