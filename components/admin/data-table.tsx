"use client";

import { createColumnHelper, tableFeatures, useTable, type RowData } from "@tanstack/react-table";
import { useMemo, type ReactNode } from "react";

/** One column of an admin list: its header and how a row shows in it. */
export interface AdminColumn<T extends RowData> {
  id: string;
  header: string;
  cell: (row: T) => ReactNode;
  align?: "right";
  /** Shown as the card's title at phone width (the first column when none is marked). */
  primary?: boolean;
}

const features = tableFeatures({});

/**
 * The admin's lists (TanStack Table, headless): a table from the `md` width up; at phone width
 * every row becomes a card with each column's header beside its value, so nothing scrolls
 * sideways. Filtering, sorting and paging happen on the server (the lists are large); this only
 * renders the page it is given.
 */
export function DataTable<T extends RowData>({
  rows,
  columns,
  rowKey,
  empty,
  testId,
}: {
  rows: readonly T[];
  columns: readonly AdminColumn<T>[];
  rowKey: (row: T) => string;
  empty: string;
  testId?: string;
}) {
  const columnDefs = useMemo(() => {
    const helper = createColumnHelper<typeof features, T>();
    return columns.map((column) =>
      helper.display({
        id: column.id,
        header: () => column.header,
        cell: (context) => column.cell(context.row.original),
      }),
    );
  }, [columns]);
  const table = useTable({
    features,
    columns: columnDefs,
    data: rows,
    getRowId: (row) => rowKey(row),
  });
  if (rows.length === 0) {
    return (
      <p className="text-sm text-stone-500" data-testid={testId ? `${testId}-empty` : undefined}>
        {empty}
      </p>
    );
  }
  const byId = new Map(columns.map((column) => [column.id, column]));
  const primaryId = (columns.find((column) => column.primary) ?? columns[0])?.id;
  const align = (id: string) => (byId.get(id)?.align === "right" ? "text-right" : "");
  return (
    <div data-testid={testId}>
      <div className="hidden overflow-x-auto rounded-2xl border border-stone-200 bg-white md:block">
        <table className="w-full text-left text-sm">
          <thead className="bg-stone-100 text-stone-600">
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => (
                  <th key={header.id} className={`px-3 py-2 whitespace-nowrap ${align(header.id)}`}>
                    <table.FlexRender header={header} />
                  </th>
                ))}
              </tr>
            ))}
          </thead>
          <tbody>
            {table.getRowModel().rows.map((row) => (
              <tr key={row.id} className="border-t border-stone-100" data-testid="admin-row">
                {row.getAllCells().map((cell) => (
                  <td key={cell.id} className={`px-3 py-2 align-top ${align(cell.column.id)}`}>
                    <table.FlexRender cell={cell} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ul className="space-y-3 md:hidden">
        {table.getRowModel().rows.map((row) => (
          <li
            key={row.id}
            className="rounded-2xl border border-stone-200 bg-white p-4 text-sm"
            data-testid="admin-card"
          >
            {row.getAllCells().map((cell) =>
              cell.column.id === primaryId ? (
                <div key={cell.id} className="mb-2 font-medium break-all">
                  <table.FlexRender cell={cell} />
                </div>
              ) : (
                <div key={cell.id} className="flex justify-between gap-3 py-0.5">
                  <span className="shrink-0 text-stone-500">
                    {byId.get(cell.column.id)?.header}
                  </span>
                  <span className="min-w-0 text-right break-all">
                    <table.FlexRender cell={cell} />
                  </span>
                </div>
              ),
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
