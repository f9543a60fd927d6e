import { getTranslations } from "next-intl/server";
import { getDb } from "@/db";
import { filterQueryString, jsonified, pageQuery } from "@/lib/admin/query";
import {
  DEDUCTION_OUTCOMES,
  deductionQuery,
  deductionsPage,
  LOGGED_METHODS,
} from "@/lib/admin/subscriptions";
import { requireAdmin } from "@/lib/auth/guards";
import { codeKey } from "@/components/admin/code-label";
import { DeductionsList } from "@/components/admin/deductions-list";
import { FilterForm, FilterInput, FilterSelect } from "@/components/admin/filter-form";

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

/**
 * /admin/deductions: every logged exchange with Alipay, newest first, filtered by outcome,
 * method, result code, date and agreement (the query string of `GET /api/admin/deductions`).
 */
export default async function AdminDeductionsPage({ searchParams }: Props) {
  await requireAdmin();
  const { query, invalid } = pageQuery(deductionQuery, await searchParams);
  const [t, tOutcome, tMethod, first] = await Promise.all([
    getTranslations("admin.deductions"),
    getTranslations("admin.codes.alipayOutcome"),
    getTranslations("admin.codes.alipayMethod"),
    getDb().then((db) => deductionsPage(db, query)),
  ]);
  const f = (key: string) => t(`filters.${key}`);
  return (
    <div className="space-y-4">
      <div className="space-y-1">
        <h1 className="text-2xl font-bold">{t("title")}</h1>
        <p className="text-sm text-stone-600">{t("intro")}</p>
      </div>
      <FilterForm
        action="/admin/deductions"
        applyLabel={f("apply")}
        resetLabel={f("reset")}
        invalid={invalid ? t("filters.invalid", { reason: invalid }) : null}
      >
        <FilterInput
          name="agreement"
          label={f("agreement")}
          value={query.agreement}
          placeholder={f("agreementPlaceholder")}
        />
        <FilterInput
          name="code"
          label={f("code")}
          value={query.code}
          placeholder={f("codePlaceholder")}
        />
        <FilterSelect
          name="outcome"
          label={f("outcome")}
          value={query.outcome}
          options={[
            { value: "", label: f("anyOutcome") },
            ...DEDUCTION_OUTCOMES.map((outcome) => ({ value: outcome, label: tOutcome(outcome) })),
          ]}
        />
        <FilterSelect
          name="method"
          label={f("method")}
          value={query.method}
          options={[
            { value: "", label: f("anyMethod") },
            ...LOGGED_METHODS.map((method) => ({
              value: method,
              label: `${tMethod(codeKey(method))} · ${method}`,
            })),
          ]}
        />
        <FilterInput name="from" type="date" label={f("from")} value={query.from} />
        <FilterInput name="to" type="date" label={f("to")} value={query.to} />
      </FilterForm>
      <DeductionsList
        key={filterQueryString(query)}
        first={jsonified(first)}
        queryString={filterQueryString(query, ["limit"])}
      />
    </div>
  );
}
