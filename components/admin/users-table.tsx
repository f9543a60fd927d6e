"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { useMemo, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import type { AdminPage } from "@/lib/admin/query";
import type { UserListItem } from "@/lib/admin/users";
import { CodeLabel } from "./code-label";
import type { AdminColumn } from "./data-table";
import { PagedTable } from "./paged-table";

/** The list's state, as in the URL: `?q=&role=&cursor=`. */
export interface UsersFilter {
  q: string;
  role: "" | "buyer" | "admin";
  cursor: string;
}

function searchOf(filter: UsersFilter): string {
  const params = new URLSearchParams();
  if (filter.q) params.set("q", filter.q);
  if (filter.role) params.set("role", filter.role);
  if (filter.cursor) params.set("cursor", filter.cursor);
  return params.toString();
}

/**
 * /admin/users' list: search (start of the email, or part of the name) and role filter, newest
 * first, keyset pages from `GET /api/admin/users`. The first page comes rendered from the
 * server (`initial`); the filter lives in the URL so a link shows the same list.
 */
export function UsersTable({
  initial,
  page,
}: {
  initial: UsersFilter;
  page: AdminPage<UserListItem>;
}) {
  const t = useTranslations("admin.catalog.users");
  const format = useFormatter();
  const [filter, setFilter] = useState<UsersFilter>(initial);
  const [draft, setDraft] = useState({ q: initial.q, role: initial.role });
  const search = searchOf(filter);
  const query = useQuery({
    queryKey: ["admin-users", search],
    queryFn: async (): Promise<AdminPage<UserListItem>> => {
      const response = await fetch(`/api/admin/users?${search}`, { cache: "no-store" });
      if (!response.ok) throw new Error(`users list: ${response.status}`);
      return (await response.json()) as AdminPage<UserListItem>;
    },
    initialData: search === searchOf(initial) ? page : undefined,
    placeholderData: keepPreviousData,
  });

  function go(next: UsersFilter) {
    setFilter(next);
    const text = searchOf(next);
    window.history.replaceState(null, "", text ? `/admin/users?${text}` : "/admin/users");
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    go({ q: draft.q.trim(), role: draft.role, cursor: "" });
  }

  const columns = useMemo<AdminColumn<UserListItem>[]>(
    () => [
      {
        id: "email",
        header: t("email"),
        primary: true,
        cell: (row) => (
          <Link
            href={`/admin/users/${row.id}`}
            className="text-brand-600 hover:underline"
            data-testid="user-link"
          >
            {row.email}
          </Link>
        ),
      },
      { id: "name", header: t("name"), cell: (row) => row.name ?? t("noName") },
      {
        id: "role",
        header: t("role"),
        cell: (row) => <CodeLabel group="userRole" code={row.role} />,
      },
      {
        id: "joined",
        header: t("joined"),
        cell: (row) =>
          format.dateTime(new Date(row.createdAt), {
            dateStyle: "medium",
            timeStyle: "short",
            timeZone: "Asia/Shanghai",
          }),
      },
    ],
    [t, format],
  );

  const data = query.data;
  return (
    <div className="space-y-4">
      <form
        onSubmit={submit}
        className="flex flex-col gap-3 sm:flex-row sm:items-end"
        role="search"
        data-testid="users-search"
      >
        <div className="flex-1 space-y-1">
          <label htmlFor="users-q" className="block text-sm font-medium text-stone-700">
            {t("search")}
          </label>
          <input
            id="users-q"
            type="search"
            value={draft.q}
            maxLength={100}
            placeholder={t("searchPlaceholder")}
            onChange={(event) => setDraft({ ...draft, q: event.target.value })}
            className="block w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-base"
          />
        </div>
        <div className="space-y-1">
          <label htmlFor="users-role" className="block text-sm font-medium text-stone-700">
            {t("role")}
          </label>
          <select
            id="users-role"
            value={draft.role}
            onChange={(event) => {
              const role =
                event.target.value === "admin" || event.target.value === "buyer"
                  ? event.target.value
                  : "";
              setDraft({ ...draft, role });
              go({ q: draft.q.trim(), role, cursor: "" });
            }}
            className="block w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-base"
          >
            <option value="">{t("allRoles")}</option>
            <option value="buyer">{t("buyerOption")}</option>
            <option value="admin">{t("adminOption")}</option>
          </select>
        </div>
        <Button type="submit">{t("apply")}</Button>
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
          loading: t("loading"),
          failed: t("loadFailed"),
          first: t("first"),
          next: t("next"),
        }}
        testId="users-table"
      />
    </div>
  );
}
