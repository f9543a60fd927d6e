"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useFormatter, useLocale, useTranslations } from "next-intl";
import { useMemo, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { pick, toLocale } from "@/i18n/locales";
import type { AdminPage } from "@/lib/admin/query";
import type { OrderListItem } from "@/lib/admin/orders";
import { formatFen } from "@/lib/money";
import { CodeLabel } from "./code-label";
import type { AdminColumn } from "./data-table";
import { PagedTable } from "./paged-table";

/** The list's state, as in the URL (the dashboard links into it): every filter and the cursor. */
export interface OrdersFilter {
  status: string;
  channel: string;
  kind: string;
  from: string;
  to: string;
  q: string;
  cursor: string;
}

const KEYS = ["status", "channel", "kind", "from", "to", "q", "cursor"] as const;

function searchOf(filter: OrdersFilter): string {
  const params = new URLSearchParams();
  for (const key of KEYS) if (filter[key]) params.set(key, filter[key]);
  return params.toString();
}

const field = "block w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-base";
const labelClass = "block text-sm font-medium text-stone-700";

/**
 * /admin/orders' list: filters (status, channel, kind, Shanghai dates) and search (order
 * number, buyer email, provider trade number), newest first, keyset pages from
 * `GET /api/admin/orders`. The first page comes rendered from the server (`page`); the filter
 * lives in the URL so a link shows the same list.
 */
export function OrdersTable({
  initial,
  page,
  statuses,
  channels,
  kinds,
}: {
  initial: OrdersFilter;
  page: AdminPage<OrderListItem>;
  statuses: readonly string[];
  channels: readonly string[];
  kinds: readonly string[];
}) {
  const t = useTranslations("admin.orders");
  const tCodes = useTranslations("admin.codes");
  const format = useFormatter();
  const locale = toLocale(useLocale());
  const [filter, setFilter] = useState<OrdersFilter>(initial);
  const [draft, setDraft] = useState<OrdersFilter>(initial);
  const search = searchOf(filter);
  const query = useQuery({
    queryKey: ["admin-orders", search],
    queryFn: async (): Promise<AdminPage<OrderListItem>> => {
      const response = await fetch(`/api/admin/orders?${search}`, { cache: "no-store" });
      if (!response.ok) throw new Error(`orders list: ${response.status}`);
      return (await response.json()) as AdminPage<OrderListItem>;
    },
    initialData: search === searchOf(initial) ? page : undefined,
    placeholderData: keepPreviousData,
  });

  function go(next: OrdersFilter) {
    setFilter(next);
    setDraft(next);
    const text = searchOf(next);
    window.history.replaceState(null, "", text ? `/admin/orders?${text}` : "/admin/orders");
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    go({ ...draft, q: draft.q.trim(), cursor: "" });
  }

  const columns = useMemo<AdminColumn<OrderListItem>[]>(
    () => [
      {
        id: "orderNo",
        header: t("orderNo"),
        primary: true,
        cell: (row) => (
          <Link
            href={`/admin/orders/${row.orderNo}`}
            className="text-brand-600 font-mono text-xs hover:underline"
            data-testid="order-link"
          >
            {row.orderNo}
          </Link>
        ),
      },
      {
        id: "status",
        header: t("status"),
        cell: (row) => (
          <span className="space-y-0.5">
            <CodeLabel group="orderStatus" code={row.status} />
            {row.refundedFen > 0 && row.status !== "refunded" ? (
              <span className="block text-xs text-amber-700">
                {t("list.refunded", { amount: formatFen(row.refundedFen) })}
              </span>
            ) : null}
            {row.reviewReason ? (
              <span className="block text-xs text-red-700">{row.reviewReason}</span>
            ) : null}
          </span>
        ),
      },
      {
        id: "channel",
        header: t("list.channel"),
        cell: (row) => <CodeLabel group="orderChannel" code={row.channel} />,
      },
      {
        id: "amount",
        header: t("amount"),
        align: "right",
        cell: (row) => <span className="tabular-nums">{formatFen(row.amountFen)}</span>,
      },
      {
        id: "product",
        header: t("product"),
        cell: (row) => pick(locale, row.productNameZh, row.productNameEn),
      },
      { id: "buyer", header: t("buyer"), cell: (row) => row.buyerEmail },
      {
        id: "tradeNo",
        header: t("list.tradeNo"),
        cell: (row) => (
          <span className="font-mono text-xs">{row.providerTradeNo ?? t("detail.none")}</span>
        ),
      },
      {
        id: "created",
        header: t("created"),
        cell: (row) =>
          format.dateTime(new Date(row.createdAt), {
            dateStyle: "short",
            timeStyle: "short",
            timeZone: "Asia/Shanghai",
          }),
      },
    ],
    [t, format, locale],
  );

  const select = (
    name: "status" | "channel" | "kind",
    group: string,
    values: readonly string[],
  ) => (
    <div className="space-y-1">
      <label htmlFor={`orders-${name}`} className={labelClass}>
        {t(`filters.${name}`)}
      </label>
      <select
        id={`orders-${name}`}
        name={name}
        value={draft[name]}
        onChange={(event) => go({ ...draft, [name]: event.target.value, cursor: "" })}
        className={field}
      >
        <option value="">{t("filters.any")}</option>
        {values.map((value) => (
          <option key={value} value={value}>
            {tCodes.has(`${group}.${value}`) ? tCodes(`${group}.${value}`) : value}
          </option>
        ))}
      </select>
    </div>
  );

  const data = query.data;
  return (
    <div className="space-y-4">
      <form
        onSubmit={submit}
        role="search"
        className="grid grid-cols-2 gap-3 rounded-2xl border border-stone-200 bg-white p-4 md:grid-cols-4 lg:grid-cols-7 lg:items-end"
        data-testid="orders-filters"
      >
        <div className="col-span-2 space-y-1">
          <label htmlFor="orders-q" className={labelClass}>
            {t("filters.q")}
          </label>
          <input
            id="orders-q"
            type="search"
            name="q"
            value={draft.q}
            maxLength={200}
            placeholder={t("filters.qPlaceholder")}
            onChange={(event) => setDraft({ ...draft, q: event.target.value })}
            className={field}
          />
        </div>
        {select("status", "orderStatus", statuses)}
        {select("channel", "orderChannel", channels)}
        {select("kind", "orderKind", kinds)}
        <div className="space-y-1">
          <label htmlFor="orders-from" className={labelClass}>
            {t("filters.from")}
          </label>
          <input
            id="orders-from"
            type="date"
            name="from"
            value={draft.from}
            onChange={(event) => setDraft({ ...draft, from: event.target.value })}
            className={field}
          />
        </div>
        <div className="space-y-1">
          <label htmlFor="orders-to" className={labelClass}>
            {t("filters.to")}
          </label>
          <input
            id="orders-to"
            type="date"
            name="to"
            value={draft.to}
            onChange={(event) => setDraft({ ...draft, to: event.target.value })}
            className={field}
          />
        </div>
        <div className="col-span-2 flex gap-2 md:col-span-4 lg:col-span-7">
          <Button type="submit" data-testid="orders-apply">
            {t("filters.apply")}
          </Button>
          <Button
            type="button"
            variant="secondary"
            onClick={() =>
              go({ status: "", channel: "", kind: "", from: "", to: "", q: "", cursor: "" })
            }
          >
            {t("filters.reset")}
          </Button>
        </div>
      </form>
      <PagedTable
        page={data}
        columns={columns}
        rowKey={(row) => row.id}
        fetching={query.isFetching}
        failed={query.isError}
        onFirst={filter.cursor ? () => go({ ...filter, cursor: "" }) : undefined}
        onNext={(cursor) => go({ ...filter, cursor })}
        labels={{
          empty: t("empty"),
          loading: t("list.loading"),
          failed: t("list.loadFailed"),
          first: t("list.first"),
          next: t("list.next"),
        }}
        testId="orders-table"
      />
    </div>
  );
}
