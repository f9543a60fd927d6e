"use client";

import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { useMemo } from "react";
import type { AdminPage } from "@/lib/admin/query";
import type { RunItem } from "@/lib/admin/runs-types";
import type { AdminColumn } from "./data-table";
import { PagedTable, useCursorStack } from "./paged-table";
import { CodeParts } from "./webhooks-code-parts";

export interface RunsFilters {
  status?: string;
  job?: string;
}

/** Seconds between two instants, one decimal; null while running. */
export function runSeconds(run: Pick<RunItem, "startedAt" | "finishedAt">): number | null {
  if (!run.finishedAt) return null;
  return Math.max(0, (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000);
}

/**
 * The job runs (table from md, cards on phones), newest first: the first page from the server,
 * older ones from `GET /api/admin/billing-runs` by keyset cursor (react-query).
 */
export function RunsList({
  filters,
  initial,
}: {
  filters: RunsFilters;
  initial: AdminPage<RunItem>;
}) {
  const t = useTranslations("admin.runsList");
  const format = useFormatter();
  const pages = useCursorStack("/api/admin/billing-runs", { ...filters }, initial);
  const columns = useMemo<AdminColumn<RunItem>[]>(
    () => [
      {
        id: "started",
        header: t("columns.started"),
        primary: true,
        cell: (run) => (
          <Link
            href={`/admin/runs/${encodeURIComponent(run.id)}`}
            className="whitespace-nowrap text-brand-600 hover:underline"
            data-testid="run-detail-link"
          >
            {format.dateTime(new Date(run.startedAt), { dateStyle: "short", timeStyle: "medium" })}
          </Link>
        ),
      },
      {
        id: "job",
        header: t("columns.job"),
        cell: (run) => (
          <span className="inline-flex flex-wrap items-baseline gap-x-2">
            <CodeParts parts={[{ group: "runJob", code: run.job }]} />
            {run.dryRun ? <span className="text-xs text-stone-500">{t("dryRun")}</span> : null}
          </span>
        ),
      },
      {
        id: "status",
        header: t("columns.status"),
        cell: (run) => <CodeParts parts={[{ group: "runStatus", code: run.status }]} />,
      },
      {
        id: "counts",
        header: t("columns.counts"),
        cell: (run) => (
          <span className="text-xs tabular-nums">
            {t("totals", {
              claimed: run.claimed,
              succeeded: run.succeeded,
              failed: run.failed,
              unknown: run.unknown,
              postponed: run.postponed,
            })}
          </span>
        ),
      },
      {
        id: "duration",
        header: t("columns.duration"),
        align: "right",
        cell: (run) => {
          const seconds = runSeconds(run);
          return seconds === null
            ? t("running")
            : t("seconds", { seconds: format.number(seconds, { maximumFractionDigits: 1 }) });
        },
      },
    ],
    [t, format],
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
      testId="runs-list"
    />
  );
}
