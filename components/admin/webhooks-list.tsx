"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { useMemo, useState } from "react";
import { eventTypeParts, outcomeParts } from "@/lib/admin/inbox-codes";
import type { InboxItem } from "@/lib/admin/inbox-types";
import type { AdminPage } from "@/lib/admin/query";
import { DataTable, type AdminColumn } from "./data-table";
import { CodeParts } from "./webhooks-code-parts";

export interface InboxFilters {
  provider?: string;
  status?: string;
  kind?: string;
}

function apiUrl(filters: InboxFilters, cursor: string | null): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) query.set(key, value);
  if (cursor) query.set("cursor", cursor);
  return `/api/admin/webhook-events?${query.toString()}`;
}

async function fetchPage(url: string): Promise<AdminPage<InboxItem>> {
  const response = await fetch(url, { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return (await response.json()) as AdminPage<InboxItem>;
}

/**
 * The inbox's deliveries (table from md, cards on phones), newest first. The first page comes
 * from the server; older pages are fetched from the JSON API by keyset cursor (react-query).
 * The filters are the URL's query string (the filter form above is a plain GET form).
 */
export function WebhooksList({
  filters,
  initial,
}: {
  filters: InboxFilters;
  initial: AdminPage<InboxItem>;
}) {
  const t = useTranslations("admin.inbox");
  const tProvider = useTranslations("admin.providers");
  const format = useFormatter();
  // The cursors of the pages shown so far (null: the first page).
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors.at(-1) ?? null;
  const query = useQuery({
    queryKey: ["admin", "webhook-events", filters, cursor],
    queryFn: () => fetchPage(apiUrl(filters, cursor)),
    initialData: cursor === null ? initial : undefined,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
  const page = query.data;

  const columns = useMemo<AdminColumn<InboxItem>[]>(
    () => [
      {
        id: "received",
        header: t("columns.received"),
        primary: true,
        cell: (row) => (
          <Link
            href={`/admin/webhooks/${encodeURIComponent(row.id)}`}
            className="whitespace-nowrap text-brand-600 hover:underline"
            data-testid="inbox-detail-link"
          >
            {format.dateTime(new Date(row.receivedAt), { dateStyle: "short", timeStyle: "medium" })}
          </Link>
        ),
      },
      {
        id: "provider",
        header: t("columns.provider"),
        cell: (row) => <span className="whitespace-nowrap">{tProvider(row.provider)}</span>,
      },
      {
        id: "kind",
        header: t("columns.kind"),
        cell: (row) => <CodeParts parts={eventTypeParts(row.eventType, row.provider)} />,
      },
      {
        id: "signature",
        header: t("columns.signature"),
        cell: (row) =>
          row.signatureValid ? (
            t("signature.valid")
          ) : (
            <span className="text-red-700">{t("signature.invalid")}</span>
          ),
      },
      {
        id: "status",
        header: t("columns.status"),
        cell: (row) => <CodeParts parts={[{ group: "inboxStatus", code: row.status }]} />,
      },
      {
        id: "outcome",
        header: t("columns.outcome"),
        cell: (row) => (
          <span className="block max-w-md">
            <CodeParts parts={outcomeParts(row.outcome, row.provider)} testId="inbox-outcome" />
            {row.lastError ? (
              <span className="mt-1 block text-xs break-all text-red-700">{row.lastError}</span>
            ) : null}
          </span>
        ),
      },
      {
        id: "attempts",
        header: t("columns.attempts"),
        align: "right",
        cell: (row) => (
          <span className="tabular-nums">
            {t("attemptsValue", { attempts: row.attempts, deliveries: row.deliveries })}
          </span>
        ),
      },
    ],
    [t, tProvider, format],
  );

  return (
    <div className="space-y-3">
      {page ? (
        <DataTable
          rows={page.items}
          columns={columns}
          rowKey={(row) => row.id}
          empty={t("empty")}
          testId="inbox-list"
        />
      ) : null}
      {query.isError ? <p className="text-sm text-red-700">{t("loadError")}</p> : null}
      <nav className="flex flex-wrap items-center gap-3 text-sm" data-testid="inbox-pager">
        {cursors.length > 1 ? (
          <button
            type="button"
            className="rounded border border-stone-300 px-3 py-1 text-stone-700 hover:bg-stone-100"
            onClick={() => setCursors([null])}
          >
            {t("first")}
          </button>
        ) : null}
        {page?.nextCursor ? (
          <button
            type="button"
            className="rounded border border-stone-300 px-3 py-1 text-stone-700 hover:bg-stone-100"
            data-testid="inbox-next"
            disabled={query.isFetching}
            onClick={() => {
              const next = page.nextCursor;
              if (next) setCursors((list) => [...list, next]);
            }}
          >
            {t("next")}
          </button>
        ) : null}
        {query.isFetching ? <span className="text-stone-500">{t("loading")}</span> : null}
      </nav>
    </div>
  );
}
