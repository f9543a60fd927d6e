"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { useMemo, useState } from "react";
import type { AdminPage } from "@/lib/admin/query";
import type { RunItem } from "@/lib/admin/runs-types";
import { DataTable, type AdminColumn } from "./data-table";
import { CodeParts } from "./webhooks-code-parts";

export interface RunsFilters {
  status?: string;
  job?: string;
}

function apiUrl(filters: RunsFilters, cursor: string | null): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) query.set(key, value);
  if (cursor) query.set("cursor", cursor);
  return `/api/admin/billing-runs?${query.toString()}`;
}

async function fetchPage(url: string): Promise<AdminPage<RunItem>> {
  const response = await fetch(url, { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return (await response.json()) as AdminPage<RunItem>;
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
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors.at(-1) ?? null;
  const query = useQuery({
    queryKey: ["admin", "billing-runs", filters, cursor],
    queryFn: () => fetchPage(apiUrl(filters, cursor)),
    initialData: cursor === null ? initial : undefined,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
  const page = query.data;
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
    <div className="space-y-3">
      {page ? (
        <DataTable
          rows={page.items}
          columns={columns}
          rowKey={(run) => run.id}
          empty={t("empty")}
          testId="runs-list"
        />
      ) : null}
      {query.isError ? <p className="text-sm text-red-700">{t("loadError")}</p> : null}
      <nav className="flex flex-wrap items-center gap-3 text-sm" data-testid="runs-pager">
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
            data-testid="runs-next"
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
