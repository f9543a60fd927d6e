import { getTranslations } from "next-intl/server";
import { RunsList } from "@/components/admin/runs-list";
import { codeLabelText } from "@/components/admin/webhooks-code-parts";
import { ListFilters } from "@/components/admin/webhooks-filters";
import { getDb } from "@/db";
import { pageQuery } from "@/lib/admin/query";
import { RUN_JOB_FAMILIES, RUN_STATUSES } from "@/lib/admin/runs";
import { runsPage, runsQuery } from "@/lib/admin/runs-page";
import { requireAdmin } from "@/lib/auth/guards";

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

/** /admin/runs: every job run's receipt, newest first, by status and job (`?status=&job=`). */
export default async function AdminRunsPage({ searchParams }: Props) {
  await requireAdmin();
  const { query } = pageQuery(runsQuery, await searchParams);
  const filters = { status: query.status, job: query.job };
  const [t, tCodes, initial] = await Promise.all([
    getTranslations("admin.runsList"),
    getTranslations("admin.codes"),
    getDb().then((db) => runsPage(db, { ...query, cursor: undefined })),
  ]);
  return (
    <div className="min-w-0 space-y-4">
      <div className="space-y-1">
        <h1 className="text-2xl font-bold">{t("title")}</h1>
        <p className="text-sm text-stone-600">{t("intro")}</p>
      </div>
      <ListFilters
        action="/admin/runs"
        testId="runs-filters"
        allLabel={t("filters.all")}
        applyLabel={t("filters.apply")}
        clearLabel={t("filters.clear")}
        fields={[
          {
            name: "status",
            label: t("filters.status"),
            value: filters.status,
            options: RUN_STATUSES.map((s) => ({
              value: s,
              label: codeLabelText(tCodes, "runStatus", s),
            })),
          },
          {
            name: "job",
            label: t("filters.job"),
            value: filters.job,
            options: RUN_JOB_FAMILIES.map((f) => ({ value: f, label: t(`families.${f}`) })),
          },
        ]}
      />
      <RunsList key={JSON.stringify(filters)} filters={filters} initial={initial} />
    </div>
  );
}
