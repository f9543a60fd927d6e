import Link from "next/link";
import { notFound } from "next/navigation";
import { getFormatter, getTranslations } from "next-intl/server";
import { CodeParts } from "@/components/admin/webhooks-code-parts";
import { getDb } from "@/db";
import { summaryCounts } from "@/lib/admin/runs";
import { runDetail } from "@/lib/admin/runs-page";
import { requireAdmin } from "@/lib/auth/guards";

interface Props {
  params: Promise<{ id: string }>;
}

/** /admin/runs/[id]: one run's receipt — job, times, totals, its summary's counters, the error. */
export default async function AdminRunPage({ params }: Props) {
  await requireAdmin();
  const { id } = await params;
  const [t, format, run] = await Promise.all([
    getTranslations("admin.runsList"),
    getFormatter(),
    getDb().then((db) => runDetail(db, id)),
  ]);
  if (!run) notFound();
  const counts = summaryCounts(run.summary);
  const hasMore =
    typeof run.summary === "object" &&
    run.summary !== null &&
    (run.summary as { hasMore?: unknown }).hasMore === true;
  const when = (iso: string | null) =>
    iso
      ? format.dateTime(new Date(iso), { dateStyle: "medium", timeStyle: "medium" })
      : t("running");
  return (
    <div className="min-w-0 space-y-6" data-testid="run-detail" data-status={run.status}>
      <div className="space-y-1">
        <Link href="/admin/runs" className="text-sm text-brand-600 hover:underline">
          {t("detail.back")}
        </Link>
        <h1 className="text-2xl font-bold">{t("detail.title")}</h1>
        <p className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
          <CodeParts
            parts={[
              { group: "runJob", code: run.job },
              { group: "runStatus", code: run.status },
            ]}
          />
          {run.dryRun ? <span className="text-sm text-stone-600">{t("dryRun")}</span> : null}
        </p>
      </div>
      <dl className="grid grid-cols-1 gap-x-6 gap-y-2 rounded-2xl border border-stone-200 bg-white p-4 text-sm sm:grid-cols-2">
        <div>
          <dt className="text-xs text-stone-500">{t("detail.id")}</dt>
          <dd className="font-mono text-xs break-all">{run.id}</dd>
        </div>
        <div>
          <dt className="text-xs text-stone-500">{t("columns.started")}</dt>
          <dd>{when(run.startedAt)}</dd>
        </div>
        <div>
          <dt className="text-xs text-stone-500">{t("columns.finished")}</dt>
          <dd>{when(run.finishedAt)}</dd>
        </div>
        <div>
          <dt className="text-xs text-stone-500">{t("columns.counts")}</dt>
          <dd className="tabular-nums" data-testid="run-totals">
            {t("totals", {
              claimed: run.claimed,
              succeeded: run.succeeded,
              failed: run.failed,
              unknown: run.unknown,
              postponed: run.postponed,
            })}
          </dd>
        </div>
      </dl>
      {hasMore ? <p className="text-sm text-amber-700">{t("detail.more")}</p> : null}
      {run.error ? (
        <section className="space-y-2">
          <h2 className="text-sm font-semibold">{t("detail.error")}</h2>
          <pre className="overflow-auto rounded-xl bg-red-50 p-3 font-mono text-xs break-all whitespace-pre-wrap text-red-800">
            {run.error}
          </pre>
        </section>
      ) : null}
      {counts.length > 0 ? (
        <section className="space-y-2">
          <h2 className="text-sm font-semibold">{t("detail.counts")}</h2>
          <dl className="grid grid-cols-2 gap-2 sm:grid-cols-4" data-testid="run-counts">
            {counts.map(({ key, value }) => (
              <div
                key={key}
                className="rounded-xl border border-stone-200 bg-white p-3"
                data-key={key}
              >
                <dt className="text-xs text-stone-500">
                  {t.has(`counts.${key}`) ? t(`counts.${key}`) : key}
                </dt>
                <dd className="text-lg font-semibold tabular-nums">{format.number(value)}</dd>
              </div>
            ))}
          </dl>
        </section>
      ) : null}
      <details className="text-sm">
        <summary className="cursor-pointer text-brand-600">{t("detail.raw")}</summary>
        <pre className="mt-2 max-h-[32rem] overflow-auto rounded-xl bg-stone-900 p-3 font-mono text-xs break-all whitespace-pre-wrap text-stone-100">
          {JSON.stringify(run.summary, null, 2)}
        </pre>
      </details>
    </div>
  );
}
