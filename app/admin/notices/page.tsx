import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { codeLabelText } from "@/components/admin/webhooks-code-parts";
import { FilterForm, FilterInput, FilterSelect } from "@/components/admin/filter-form";
import { NoticeCounts } from "@/components/admin/notices-counts";
import { NoticesList } from "@/components/admin/notices-list";
import { getDb } from "@/db";
import { NOTICE_CHANNELS, NOTICE_KINDS, NOTICE_STATUSES } from "@/db/schema/notices";
import { pageQuery } from "@/lib/admin/query";
import { requireAdmin } from "@/lib/auth/guards";
import { countNoticesByStatus, noticeListQuery, noticesPage } from "@/lib/admin/notices";

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

/**
 * /admin/notices: the outbox — counts by status (failed sends highlighted), filters
 * (`?status=&kind=&channel=&recipient=&from=&to=`, what the daily digest links to) and every
 * notice newest first, each opening its detail.
 */
export default async function AdminNoticesPage({ searchParams }: Props) {
  await requireAdmin();
  const { query, invalid } = pageQuery(noticeListQuery, await searchParams);
  const filters = {
    status: query.status,
    kind: query.kind,
    channel: query.channel,
    recipient: query.recipient || undefined,
    from: query.from,
    to: query.to,
  };
  const db = await getDb();
  const [t, tCodes, counts, initial] = await Promise.all([
    getTranslations("admin.notices"),
    getTranslations("admin.codes"),
    countNoticesByStatus(db),
    // The first page always (a shared link's cursor is not kept: pages move as rows arrive).
    noticesPage(db, { ...query, cursor: undefined }),
  ]);
  const options = (group: string, codes: readonly string[]) => [
    { value: "", label: t("filters.any") },
    ...codes.map((code) => ({ value: code, label: codeLabelText(tCodes, group, code) })),
  ];
  return (
    <div className="min-w-0 space-y-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="space-y-1">
          <h1 className="text-2xl font-bold">{t("title")}</h1>
          <p className="text-sm text-stone-600">{t("intro")}</p>
        </div>
        <Link
          href="/admin/notices/settings"
          className="rounded-lg border border-stone-300 bg-white px-3 py-1.5 text-sm text-stone-700 hover:bg-stone-100"
          data-testid="notice-settings-link"
        >
          {t("settingsLink")}
        </Link>
      </div>
      <NoticeCounts counts={counts} current={filters.status} />
      <FilterForm
        action="/admin/notices"
        applyLabel={t("filters.apply")}
        resetLabel={t("filters.reset")}
        invalid={invalid ? t("filters.invalid", { fields: invalid }) : null}
      >
        <FilterSelect
          name="status"
          label={t("filters.status")}
          value={filters.status}
          options={options("noticeStatus", NOTICE_STATUSES)}
        />
        <FilterSelect
          name="kind"
          label={t("filters.kind")}
          value={filters.kind}
          options={options("noticeKind", NOTICE_KINDS)}
        />
        <FilterSelect
          name="channel"
          label={t("filters.channel")}
          value={filters.channel}
          options={options("noticeChannel", NOTICE_CHANNELS)}
        />
        <FilterInput
          name="recipient"
          type="search"
          label={t("filters.recipient")}
          value={filters.recipient}
          placeholder={t("filters.recipientPlaceholder")}
        />
        <FilterInput name="from" type="date" label={t("filters.from")} value={filters.from} />
        <FilterInput name="to" type="date" label={t("filters.to")} value={filters.to} />
      </FilterForm>
      <NoticesList key={JSON.stringify(filters)} filters={filters} initial={initial} />
    </div>
  );
}
