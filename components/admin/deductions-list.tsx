"use client";

import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { useMemo } from "react";
import type { AdminDeductionRow } from "@/db/queries/admin-subscriptions";
import type { Jsonified } from "@/lib/admin/query";
import { CodeLabel } from "./code-label";
import { DataTable, type AdminColumn } from "./data-table";
import { JsonView } from "./json-view";
import { LoadMore } from "./load-more";
import { useCursorPages, type CursorPage } from "./use-cursor-pages";

type Row = Jsonified<AdminDeductionRow>;

/** The deduction logs: each exchange with its codes, and its request and response on demand. */
export function DeductionsList({
  first,
  queryString,
}: {
  first: CursorPage<Row>;
  queryString: string;
}) {
  const t = useTranslations("admin.deductions");
  const tDetail = useTranslations("admin.subscriptions.detail.logs");
  const format = useFormatter();
  const pages = useCursorPages("/api/admin/deductions", queryString, first);
  const columns = useMemo<AdminColumn<Row>[]>(
    () => [
      {
        id: "time",
        header: t("columns.time"),
        primary: true,
        cell: (row) =>
          format.dateTime(new Date(row.createdAt), {
            dateStyle: "short",
            timeStyle: "medium",
          }),
      },
      {
        id: "method",
        header: t("columns.method"),
        cell: (row) => <CodeLabel group="alipayMethod" code={row.apiMethod} />,
      },
      {
        id: "outcome",
        header: t("columns.outcome"),
        cell: (row) => <CodeLabel group="alipayOutcome" code={row.outcome} />,
      },
      {
        id: "code",
        header: t("columns.code"),
        cell: (row) => <CodeLabel group="alipayCode" code={row.subCode ?? row.code} />,
      },
      {
        id: "agreement",
        header: t("columns.agreement"),
        cell: (row) =>
          row.agreementId ? (
            <Link
              href={`/admin/subscriptions/${row.agreementId}`}
              className="font-mono text-xs text-brand-700"
            >
              {row.externalAgreementNo ?? row.agreementId}
            </Link>
          ) : (
            "—"
          ),
      },
      {
        id: "attempt",
        header: t("columns.attempt"),
        cell: (row) =>
          row.periodIndex !== null && row.attemptNo !== null
            ? t("attempt", { period: row.periodIndex, attempt: row.attemptNo })
            : "—",
      },
      {
        id: "http",
        header: t("columns.http"),
        align: "right",
        cell: (row) => row.httpStatus ?? "—",
      },
      {
        id: "details",
        header: t("columns.details"),
        cell: (row) => (
          <div className="max-w-md space-y-1 text-left" data-testid="deduction-details">
            <JsonView label={tDetail("request")} value={row.request} />
            <JsonView label={tDetail("response")} value={row.response} testId="log-response" />
          </div>
        ),
      },
    ],
    [t, tDetail, format],
  );
  return (
    <div className="space-y-3">
      <DataTable
        rows={pages.items}
        columns={columns}
        rowKey={(row) => String(row.id)}
        empty={t("empty")}
        testId="deductions"
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
