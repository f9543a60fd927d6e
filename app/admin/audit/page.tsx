import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { getDb } from "@/db";
import { listAudit } from "@/db/queries/audit";
import { requireAdmin } from "@/lib/auth/guards";
import { CodeLabel } from "@/components/admin/code-label";

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

const PAGE = 50;

/** A positive integer from the query string, else undefined (a bad value is the first page). */
function cursorOf(value: string | string[] | undefined): number | undefined {
  const n = typeof value === "string" && /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** An action name as sent in the URL (`export.orders`, or a prefix such as `export.`). */
function actionOf(value: string | string[] | undefined): string | undefined {
  return typeof value === "string" && /^[a-z_.]{1,64}$/.test(value) ? value : undefined;
}

/**
 * /admin/audit: every recorded action, newest first — who (the admin's email, or the job or
 * provider), what, on which record, when, and the details (before/after values where the action
 * keeps them). 50 a page, older pages by the last id shown.
 */
export default async function AdminAuditPage({ searchParams }: Props) {
  await requireAdmin();
  const query = await searchParams;
  const before = cursorOf(query.before);
  const action = actionOf(query.action);
  const [t, format, rows] = await Promise.all([
    getTranslations("admin.audit"),
    getFormatter(),
    getDb().then((db) => listAudit(db, { before, action, limit: PAGE + 1 })),
  ]);
  const shown = rows.slice(0, PAGE);
  const older = rows.length > PAGE ? shown.at(-1)?.id : undefined;
  const href = (params: Record<string, string | undefined>) => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
    const text = search.toString();
    return text ? `/admin/audit?${text}` : "/admin/audit";
  };
  const link = "rounded border border-stone-300 px-3 py-1 text-stone-700 hover:bg-stone-100";
  return (
    <div className="space-y-4">
      <div className="space-y-1">
        <h1 className="text-2xl font-bold">{t("title")}</h1>
        <p className="text-sm text-stone-600">{t("intro")}</p>
        {action ? (
          <p className="text-sm">
            {t("filtered", { action })}{" "}
            <Link href="/admin/audit" className="text-brand-600 underline">
              {t("all")}
            </Link>
          </p>
        ) : null}
      </div>
      {shown.length === 0 ? (
        <p className="text-sm text-stone-500">{t("empty")}</p>
      ) : (
        // Cards rather than a table: details are JSON, and the owner reads this on a phone too.
        <ol className="space-y-2">
          {shown.map((row) => (
            <li
              key={row.id}
              className="space-y-1 rounded-2xl border border-stone-200 bg-white p-3 text-sm"
              data-testid="audit-row"
            >
              <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
                <Link
                  href={href({ action: row.action })}
                  className="text-brand-600 hover:underline"
                >
                  <CodeLabel group="auditAction" code={row.action} />
                </Link>
                <span className="text-xs whitespace-nowrap text-stone-500">
                  {format.dateTime(row.createdAt, { dateStyle: "short", timeStyle: "medium" })}
                </span>
              </div>
              <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-xs">
                <dt className="text-stone-500">{t("actor")}</dt>
                <dd className="break-all">{row.actorEmail ?? t(`actorKinds.${row.actorKind}`)}</dd>
                {row.targetType ? (
                  <>
                    <dt className="text-stone-500">{t("target")}</dt>
                    <dd className="font-mono break-all">
                      {row.targetType} {row.targetId ?? ""}
                    </dd>
                  </>
                ) : null}
              </dl>
              {row.details === null ? null : (
                <pre className="overflow-x-auto rounded-lg bg-stone-50 p-2 text-xs whitespace-pre-wrap break-all text-stone-600">
                  {JSON.stringify(row.details, null, 1)}
                </pre>
              )}
            </li>
          ))}
        </ol>
      )}
      <nav className="flex items-center gap-3 text-sm" data-testid="audit-pager">
        {before !== undefined ? (
          <Link href={href({ action })} className={link}>
            {t("newest")}
          </Link>
        ) : null}
        {older !== undefined ? (
          <Link href={href({ action, before: String(older) })} rel="next" className={link}>
            {t("older")}
          </Link>
        ) : null}
      </nav>
    </div>
  );
}
