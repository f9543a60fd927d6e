"use client";

import Link from "next/link";
import { useLocale, useTranslations } from "next-intl";
import { useMemo } from "react";
import { pick, toLocale } from "@/i18n/locales";
import { formatFen } from "@/lib/money";
import { CodeLabel } from "./code-label";
import { DataTable, type AdminColumn } from "./data-table";

/** A product as the admin's list shows it (plain data: it crosses to the client). */
export interface ProductListRow {
  id: string;
  slug: string;
  nameZh: string;
  nameEn: string;
  kind: "one_off" | "membership" | "credit_pack";
  priceFen: number;
  periodDays: number | null;
  credits: number | null;
  active: boolean;
  hasCover: boolean;
}

/**
 * Every product, on sale or not (a table from the md width, cards on phones). The list is
 * small — a shop sells tens of things — so it is rendered whole by the server, no pages.
 */
export function ProductsTable({ rows }: { rows: ProductListRow[] }) {
  const t = useTranslations("admin.catalog.products");
  const tList = useTranslations("admin.products");
  const locale = toLocale(useLocale());
  const columns = useMemo<AdminColumn<ProductListRow>[]>(
    () => [
      {
        id: "name",
        header: t("name"),
        primary: true,
        cell: (row) => (
          <Link
            href={`/admin/products/${row.id}`}
            className="font-medium text-brand-600 hover:underline"
            data-testid="product-edit-link"
          >
            {pick(locale, row.nameZh, row.nameEn)}
          </Link>
        ),
      },
      {
        id: "slug",
        header: tList("slug"),
        cell: (row) => <span className="font-mono text-xs">{row.slug}</span>,
      },
      {
        id: "kind",
        header: tList("kind"),
        cell: (row) => <CodeLabel group="productKind" code={row.kind} />,
      },
      {
        id: "price",
        header: tList("price"),
        align: "right",
        cell: (row) => <span className="tabular-nums">{formatFen(row.priceFen)}</span>,
      },
      {
        id: "terms",
        header: t("terms"),
        cell: (row) =>
          row.kind === "membership" && row.periodDays
            ? t("periodDays", { days: row.periodDays })
            : row.kind === "credit_pack" && row.credits
              ? t("credits", { count: row.credits })
              : t("none"),
      },
      {
        id: "cover",
        header: t("cover"),
        cell: (row) => (row.hasCover ? t("coverUploaded") : t("coverGenerated")),
      },
      {
        id: "status",
        header: tList("status"),
        cell: (row) => (
          <span className={row.active ? "text-emerald-700" : "text-stone-500"}>
            <CodeLabel group="productStatus" code={row.active ? "active" : "inactive"} />
          </span>
        ),
      },
    ],
    [t, tList, locale],
  );
  return (
    <DataTable
      rows={rows}
      columns={columns}
      rowKey={(row) => row.id}
      empty={t("empty")}
      testId="products-table"
    />
  );
}
