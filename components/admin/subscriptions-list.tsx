"use client";

import Link from "next/link";
import { useFormatter, useLocale, useTranslations } from "next-intl";
import { useMemo } from "react";
import type { AdminAgreementRow } from "@/db/queries/admin-subscriptions";
import type { Jsonified } from "@/lib/admin/query";
import { CodeLabel } from "./code-label";
import { DataTable, type AdminColumn } from "./data-table";
import { LoadMore } from "./load-more";
import { useCursorPages, type CursorPage } from "./use-cursor-pages";

type Row = Jsonified<AdminAgreementRow>;

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

/** The subscriptions table: its first page from the server, "load more" from the JSON API. */
export function SubscriptionsList({
  first,
  queryString,
}: {
  first: CursorPage<Row>;
  queryString: string;
}) {
  const t = useTranslations("admin.subscriptions");
  const format = useFormatter();
  const locale = useLocale();
  const pages = useCursorPages("/api/admin/subscriptions", queryString, first);
  const columns = useMemo<AdminColumn<Row>[]>(
    () => [
      {
        id: "agreement",
        header: t("columns.agreement"),
        primary: true,
        cell: (row) => (
          <Link
            href={`/admin/subscriptions/${row.id}`}
            className="font-mono text-xs text-brand-700 underline-offset-4 hover:underline"
            data-testid="subscription-link"
          >
            {row.externalAgreementNo}
          </Link>
        ),
      },
      { id: "buyer", header: t("columns.buyer"), cell: (row) => row.buyerEmail },
      {
        id: "plan",
        header: t("columns.plan"),
        cell: (row) => (locale === "en" ? row.productNameEn : row.productNameZh),
      },
      {
        id: "status",
        header: t("columns.status"),
        cell: (row) => <CodeLabel group="agreementStatus" code={row.status} />,
      },
      {
        id: "amount",
        header: t("columns.amount"),
        align: "right",
        cell: (row) => t("every", { amount: yuan(row.singleAmountFen), days: row.periodDays }),
      },
      {
        id: "nextCharge",
        header: t("columns.nextCharge"),
        cell: (row) => row.nextChargeDate ?? t("none"),
      },
      {
        id: "periods",
        header: t("columns.periods"),
        align: "right",
        cell: (row) => row.paidPeriods,
      },
      {
        id: "lastAttempt",
        header: t("columns.lastAttempt"),
        cell: (row) =>
          row.lastAttemptStatus ? (
            <span className="flex flex-col gap-0.5" data-testid="last-attempt">
              <CodeLabel group="attemptStatus" code={row.lastAttemptStatus} />
              {row.lastAttemptCode ? (
                <CodeLabel group="alipayCode" code={row.lastAttemptCode} />
              ) : null}
            </span>
          ) : (
            t("none")
          ),
      },
      {
        id: "created",
        header: t("columns.created"),
        cell: (row) =>
          format.dateTime(new Date(row.createdAt), { dateStyle: "short", timeStyle: "short" }),
      },
    ],
    [t, format, locale],
  );
  return (
    <div className="space-y-3">
      <DataTable
        rows={pages.items}
        columns={columns}
        rowKey={(row) => row.id}
        empty={t("empty")}
        testId="subscriptions"
      />
      <LoadMore
        pages={pages}
        labels={{
          more: t("loadMore"),
          loading: t("loading"),
          failed: t("loadFailed"),
          count: t("count", { count: pages.items.length }),
        }}
      />
    </div>
  );
}
