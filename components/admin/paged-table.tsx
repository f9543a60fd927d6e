"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { RowData } from "@tanstack/react-table";
import { useState } from "react";
import type { AdminPage } from "@/lib/admin/query";
import { Button } from "@/components/ui/button";
import { DataTable, type AdminColumn } from "./data-table";

/**
 * An admin list shown a page at a time (orders, users, inbox, runs): the page's table (dimmed
 * while the next one loads), a notice when loading failed, and "first page" / "next page"
 * buttons. The list keeps its own cursor (in its URL or its state) and says what the buttons do.
 */
export function PagedTable<T extends RowData>({
  page,
  columns,
  rowKey,
  fetching,
  failed,
  onFirst,
  onNext,
  labels,
  testId,
}: {
  page: { items: readonly T[]; nextCursor: string | null } | undefined;
  columns: readonly AdminColumn<T>[];
  rowKey: (row: T) => string;
  fetching: boolean;
  failed: boolean;
  /** Back to the first page; absent on the first page. */
  onFirst?: () => void;
  /** To the page after this one's cursor. */
  onNext: (cursor: string) => void;
  labels: { empty: string; loading: string; failed: string; first: string; next: string };
  /** The table's test id; the next button is `<testId>-next`, the pager `<testId>-pager`. */
  testId: string;
}) {
  const next = page?.nextCursor ?? null;
  return (
    <div className="space-y-3">
      {failed ? (
        <p role="alert" className="text-sm text-red-700">
          {labels.failed}
        </p>
      ) : null}
      {page ? (
        <div className={fetching ? "opacity-60" : undefined}>
          <DataTable
            rows={page.items}
            columns={columns}
            rowKey={rowKey}
            empty={labels.empty}
            testId={testId}
          />
        </div>
      ) : (
        <p className="text-sm text-stone-500">{labels.loading}</p>
      )}
      <nav className="flex flex-wrap items-center gap-3 text-sm" data-testid={`${testId}-pager`}>
        {onFirst ? (
          <Button type="button" variant="secondary" onClick={onFirst}>
            {labels.first}
          </Button>
        ) : null}
        {next ? (
          <Button
            type="button"
            variant="secondary"
            disabled={fetching}
            onClick={() => onNext(next)}
            data-testid={`${testId}-next`}
          >
            {labels.next}
          </Button>
        ) : null}
        {fetching && page ? <span className="text-stone-500">{labels.loading}</span> : null}
      </nav>
    </div>
  );
}

/**
 * The page of a list whose filters are fixed by its URL: the first page from the server's
 * render, the next ones from `endpoint?…&cursor=` (react-query), "first page" going back.
 * Spread into `PagedTable`.
 */
export function useCursorStack<T>(
  endpoint: string,
  filters: Record<string, string | undefined>,
  initial: AdminPage<T>,
) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors.at(-1) ?? null;
  const query = useQuery({
    queryKey: [endpoint, filters, cursor],
    queryFn: async (): Promise<AdminPage<T>> => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
      if (cursor) params.set("cursor", cursor);
      const response = await fetch(`${endpoint}?${params.toString()}`, {
        headers: { accept: "application/json" },
      });
      if (!response.ok) throw new Error(`${endpoint}: HTTP ${response.status}`);
      return (await response.json()) as AdminPage<T>;
    },
    initialData: cursor === null ? initial : undefined,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
  return {
    page: query.data,
    fetching: query.isFetching,
    failed: query.isError,
    onFirst: cursors.length > 1 ? () => setCursors([null]) : undefined,
    onNext: (next: string) => setCursors((list) => [...list, next]),
  };
}
