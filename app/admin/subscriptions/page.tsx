import { getLocale, getTranslations } from "next-intl/server";
import { getDb } from "@/db";
import { listMembershipPlans } from "@/db/queries/admin-subscriptions";
import { pick, toLocale } from "@/i18n/locales";
import { filterQueryString, jsonified, pageQuery } from "@/lib/admin/query";
import {
  AGREEMENT_STATUSES,
  subscriptionQuery,
  subscriptionsPage,
} from "@/lib/admin/subscriptions";
import { requireAdmin } from "@/lib/auth/guards";
import {
  FilterCheckbox,
  FilterForm,
  FilterInput,
  FilterSelect,
} from "@/components/admin/filter-form";
import { SubscriptionsList } from "@/components/admin/subscriptions-list";

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

/**
 * /admin/subscriptions: every Alipay agreement, filtered, searched and sorted on the server
 * (the same query string as `GET /api/admin/subscriptions`, so the dashboard's figures link
 * here), the first page rendered here, more pages loaded from the API.
 */
export default async function AdminSubscriptionsPage({ searchParams }: Props) {
  await requireAdmin();
  const { query, invalid } = pageQuery(subscriptionQuery, await searchParams);
  const db = await getDb();
  const [t, tCodes, locale, plans, first] = await Promise.all([
    getTranslations("admin.subscriptions"),
    getTranslations("admin.codes.agreementStatus"),
    getLocale().then(toLocale),
    listMembershipPlans(db),
    subscriptionsPage(db, query),
  ]);
  const f = (key: string) => t(`filters.${key}`);
  return (
    <div className="space-y-4">
      <div className="space-y-1">
        <h1 className="text-2xl font-bold">{t("title")}</h1>
        <p className="text-sm text-stone-600">{t("intro")}</p>
      </div>
      <FilterForm
        action="/admin/subscriptions"
        applyLabel={f("apply")}
        resetLabel={f("reset")}
        invalid={invalid ? t("filters.invalid", { reason: invalid }) : null}
      >
        <FilterInput
          name="q"
          type="search"
          label={f("q")}
          value={query.q}
          placeholder={f("qPlaceholder")}
        />
        <FilterSelect
          name="status"
          label={f("status")}
          value={query.status}
          options={[
            { value: "", label: f("anyStatus") },
            ...AGREEMENT_STATUSES.map((status) => ({ value: status, label: tCodes(status) })),
          ]}
        />
        <FilterSelect
          name="plan"
          label={f("plan")}
          value={query.plan}
          options={[
            { value: "", label: f("anyPlan") },
            ...plans.map((plan) => ({
              value: plan.id,
              label: pick(locale, plan.nameZh, plan.nameEn),
            })),
          ]}
        />
        <FilterInput name="nextFrom" type="date" label={f("nextFrom")} value={query.nextFrom} />
        <FilterInput name="nextTo" type="date" label={f("nextTo")} value={query.nextTo} />
        {query.closedFrom ? (
          <FilterInput
            name="closedFrom"
            type="date"
            label={f("closedFrom")}
            value={query.closedFrom}
          />
        ) : null}
        <FilterSelect
          name="sort"
          label={f("sort")}
          value={query.sort}
          options={[
            { value: "created", label: f("sortCreated") },
            { value: "next_charge", label: f("sortNextCharge") },
          ]}
        />
        <FilterCheckbox name="failing" label={f("failing")} checked={query.failing === "1"} />
      </FilterForm>
      <SubscriptionsList
        key={filterQueryString(query)}
        first={jsonified(first)}
        queryString={filterQueryString(query, ["limit"])}
      />
    </div>
  );
}
