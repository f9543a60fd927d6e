import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import { PurchasedContent } from "@/components/orders/purchased-content";
import { buttonClass } from "@/components/ui/button";
import { getDb } from "@/db";
import { listOrdersOfUser } from "@/db/queries/orders";
import { pick, toLocale } from "@/i18n/locales";
import { requireUser } from "@/lib/auth/guards";
import { formatFen } from "@/lib/money";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("orders"))("title") };
}

const STATUS_TONE: Record<string, string> = {
  paid: "bg-emerald-100 text-emerald-800",
  pending: "bg-amber-100 text-amber-800",
  review: "bg-red-100 text-red-800",
};

export default async function OrdersPage() {
  const user = await requireUser();
  const [t, tStatus, format, locale, rows] = await Promise.all([
    getTranslations("orders"),
    getTranslations("orderStatus"),
    getFormatter(),
    getLocale().then(toLocale),
    getDb().then((db) => listOrdersOfUser(db, user.id)),
  ]);
  return (
    <div className="mx-auto max-w-2xl space-y-4">
      <h1 className="text-2xl font-bold">{t("title")}</h1>
      {rows.length === 0 ? (
        <p className="text-stone-600">
          {t("empty")}{" "}
          <Link href="/" className="text-brand-600 underline">
            {t("browse")}
          </Link>
        </p>
      ) : null}
      <ul className="space-y-3">
        {rows.map(({ order, product }) => (
          <li
            key={order.id}
            className="space-y-3 rounded-2xl border border-stone-200 bg-white p-4"
            data-testid="order-row"
          >
            <div className="flex flex-wrap items-start justify-between gap-2">
              <div>
                <p className="font-medium">{pick(locale, product.nameZh, product.nameEn)}</p>
                <p className="text-xs text-stone-500">
                  {format.dateTime(order.createdAt, { dateStyle: "medium", timeStyle: "short" })}
                  {" · "}
                  <span className="font-mono">{order.orderNo}</span>
                </p>
              </div>
              <div className="sm:text-right">
                <p className="font-semibold tabular-nums">{formatFen(order.amountFen)}</p>
                <span
                  className={`inline-block rounded-full px-2 py-0.5 text-xs ${STATUS_TONE[order.status] ?? "bg-stone-100 text-stone-700"}`}
                  data-testid="order-status"
                >
                  {tStatus(order.status)}
                </span>
              </div>
            </div>
            <PurchasedContent order={order} product={product} />
            {order.status === "pending" ? (
              <Link
                href={`/checkout/${order.orderNo}`}
                className={buttonClass("secondary", "text-xs")}
              >
                {t("continuePay")}
              </Link>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
