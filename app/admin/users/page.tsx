import { getTranslations } from "next-intl/server";
import { UsersTable, type UsersFilter } from "@/components/admin/users-table";
import { getDb } from "@/db";
import { parseQuery } from "@/lib/admin/query";
import { usersPage, usersQuery } from "@/lib/admin/users";
import { requireAdmin } from "@/lib/auth/guards";
import { isAppError } from "@/lib/errors";

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

/** /admin/users: search, role filter and keyset pages (the first page rendered here). */
export default async function AdminUsersPage({ searchParams }: Props) {
  await requireAdmin();
  const raw = await searchParams;
  const params = new URLSearchParams();
  for (const key of ["q", "role", "cursor"] as const) {
    const value = raw[key];
    if (typeof value === "string") params.set(key, value);
  }
  // A hand-edited URL with a bad filter or cursor shows the whole list, not an error page.
  let query;
  try {
    query = parseQuery(params, usersQuery);
  } catch (error) {
    if (!isAppError(error, "bad_request")) throw error;
    query = parseQuery(new URLSearchParams(), usersQuery);
  }
  const db = await getDb();
  let page;
  try {
    page = await usersPage(db, query);
  } catch (error) {
    if (!isAppError(error, "bad_request")) throw error;
    query = { ...query, cursor: undefined };
    page = await usersPage(db, query);
  }
  const t = await getTranslations("admin.catalog.users");
  const initial: UsersFilter = {
    q: query.q ?? "",
    role: query.role ?? "",
    cursor: query.cursor ?? "",
  };
  return (
    <div className="space-y-4">
      <div className="space-y-1">
        <h1 className="text-2xl font-bold">{t("title")}</h1>
        <p className="text-sm text-stone-600">{t("intro")}</p>
      </div>
      <UsersTable initial={initial} page={page} />
    </div>
  );
}
