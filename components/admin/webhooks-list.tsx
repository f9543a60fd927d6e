"use client";

import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { useMemo } from "react";
import { eventTypeParts, outcomeParts } from "@/lib/admin/inbox-codes";
import type { InboxItem } from "@/lib/admin/inbox-types";
import type { AdminPage } from "@/lib/admin/query";
import type { AdminColumn } from "./data-table";
import { PagedTable, useCursorStack } from "./paged-table";
import { CodeParts } from "./webhooks-code-parts";

export interface InboxFilters {
  provider?: string;
  status?: string;
  kind?: string;
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
  const pages = useCursorStack("/api/admin/webhook-events", { ...filters }, initial);

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
    <PagedTable
      {...pages}
      columns={columns}
      rowKey={(row) => row.id}
      labels={{
        empty: t("empty"),
        loading: t("loading"),
        failed: t("loadError"),
        first: t("first"),
        next: t("next"),
      }}
      testId="inbox-list"
    />
  );
}
