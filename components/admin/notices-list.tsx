"use client";

import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { useMemo } from "react";
import type { NoticeItem } from "@/lib/admin/notices-types";
import type { AdminPage } from "@/lib/admin/query";
import { CodeLabel } from "./code-label";
import type { AdminColumn } from "./data-table";
import { NoticeRecipient, NoticeStatusLabel } from "./notices-status";
import { PagedTable, useCursorStack } from "./paged-table";

/** How much of the last error a row shows (the detail page shows all of it). */
const ERROR_CHARS = 80;

/**
 * The outbox (table from md, cards on phones), newest first: the first page from the server,
 * the next ones from `GET /api/admin/notices` by keyset cursor. The filters are the URL's query
 * string (the form above is a plain GET form). Times in Asia/Shanghai.
 */
export function NoticesList({
  filters,
  initial,
}: {
  filters: Record<string, string | undefined>;
  initial: AdminPage<NoticeItem>;
}) {
  const t = useTranslations("admin.notices");
  const format = useFormatter();
  const pages = useCursorStack("/api/admin/notices", filters, initial);

  const columns = useMemo<AdminColumn<NoticeItem>[]>(() => {
    const when = (iso: string | null) =>
      iso
        ? format.dateTime(new Date(iso), {
            dateStyle: "short",
            timeStyle: "short",
            timeZone: "Asia/Shanghai",
          })
        : t("list.none");
    return [
      {
        id: "created",
        header: t("columns.created"),
        primary: true,
        cell: (row) => (
          <Link
            href={`/admin/notices/${encodeURIComponent(row.id)}`}
            className="whitespace-nowrap text-brand-600 hover:underline"
            data-testid="notice-detail-link"
          >
            {when(row.createdAt)}
          </Link>
        ),
      },
      {
        id: "status",
        header: t("columns.status"),
        // A sent notice says when, in the same cell: the table stays narrow enough for a laptop.
        cell: (row) => (
          <span className="inline-flex flex-col gap-0.5">
            <NoticeStatusLabel status={row.status} skipReason={row.skipReason} />
            {row.sentAt ? (
              <span
                className="text-xs whitespace-nowrap text-stone-500"
                data-testid="notice-sent-at"
              >
                {when(row.sentAt)}
              </span>
            ) : null}
          </span>
        ),
      },
      {
        id: "kind",
        header: t("columns.kindChannel"),
        cell: (row) => (
          <span className="inline-flex flex-col gap-0.5">
            <CodeLabel group="noticeKind" code={row.kind} />
            <span className="text-xs text-stone-500">
              <CodeLabel group="noticeChannel" code={row.channel} />
            </span>
          </span>
        ),
      },
      {
        id: "recipient",
        header: t("columns.recipient"),
        cell: (row) => <NoticeRecipient recipient={row.recipient} />,
      },
      {
        id: "subject",
        header: t("columns.subject"),
        cell: (row) => (
          <span className="block min-w-32 max-w-xs break-words">
            {row.subject ?? <span className="text-stone-400">{t("list.noSubject")}</span>}
          </span>
        ),
      },
      {
        id: "attempts",
        header: t("columns.attempts"),
        align: "right",
        cell: (row) => <span className="tabular-nums">{row.attempts}</span>,
      },
      {
        id: "lastError",
        header: t("columns.lastError"),
        cell: (row) =>
          row.lastError ? (
            <span
              className="block min-w-40 max-w-xs text-xs break-words text-red-700"
              title={row.lastError}
              data-testid="notice-error"
            >
              {row.lastError.length > ERROR_CHARS
                ? `${row.lastError.slice(0, ERROR_CHARS)}…`
                : row.lastError}
            </span>
          ) : (
            t("list.none")
          ),
      },
    ];
  }, [t, format]);

  return (
    <PagedTable
      {...pages}
      columns={columns}
      rowKey={(row) => row.id}
      labels={{
        empty: t("list.empty"),
        loading: t("list.loading"),
        failed: t("list.loadError"),
        first: t("list.first"),
        next: t("list.next"),
      }}
      testId="notices-list"
    />
  );
}
