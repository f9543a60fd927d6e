import { getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { Card } from "@/components/ui/card";
import { formatFen } from "@/lib/money";
import type { TermsView } from "@/lib/sandbox/alipay/pages";
import { SubmitButton } from "../youzan/pay/submit-button";

/* Pieces shared by the Alipay sandbox pages (sign, pay and sign, wallet). */

export async function SandboxBanner() {
  const t = await getTranslations("sandbox.alipay.common");
  return (
    <div
      className="rounded-xl border border-sky-300 bg-sky-50 px-4 py-3 text-sm text-sky-900"
      data-testid="sandbox-banner"
    >
      <p className="font-bold tracking-wide">{t("badge")}</p>
      <p className="mt-1 text-sky-800">{t("notice")}</p>
    </div>
  );
}

export function Shell({ children }: { children: ReactNode }) {
  return <div className="mx-auto w-full max-w-sm space-y-4 px-3 py-4">{children}</div>;
}

export function Row({ label, value, mono }: { label: string; value: ReactNode; mono?: boolean }) {
  return (
    <div className="flex items-baseline justify-between gap-4 text-sm">
      <dt className="shrink-0 text-stone-500">{label}</dt>
      <dd className={mono ? "font-mono text-xs break-all" : "text-right font-medium break-all"}>
        {value}
      </dd>
    </div>
  );
}

export async function Terms({ terms }: { terms: TermsView }) {
  const t = await getTranslations("sandbox.alipay.terms");
  const period =
    terms.periodType === "DAY"
      ? t("periodDay", { period: terms.period })
      : t("periodMonth", { period: terms.period });
  return (
    <section className="space-y-2 rounded-lg bg-stone-50 p-3" data-testid="alipay-terms">
      <h2 className="text-sm font-semibold">{t("title")}</h2>
      <dl className="space-y-2">
        <Row label={t("amount")} value={formatFen(terms.singleAmountFen)} />
        <Row label={t("period")} value={period} />
        <Row label={t("firstDate")} value={terms.firstDeductDate} />
        {terms.totalPayments !== null ? (
          <Row label={t("totalPayments")} value={terms.totalPayments} />
        ) : null}
        {terms.externalAgreementNo ? (
          <Row label={t("externalNo")} value={terms.externalAgreementNo} mono />
        ) : null}
      </dl>
    </section>
  );
}

export function Notice({
  title,
  body,
  testId,
  children,
}: {
  title: string;
  body: string;
  testId: string;
  children?: ReactNode;
}) {
  return (
    <div data-testid={testId}>
      <Card className="space-y-4 text-center">
        <h1 className="text-xl font-bold">{title}</h1>
        <p className="text-sm leading-relaxed break-words text-stone-600">{body}</p>
        {children}
      </Card>
    </div>
  );
}

/** A one-button form posting `action` (and hidden fields) to a server action. */
export function ActionButton({
  action,
  fields,
  label,
  pendingLabel,
  variant = "secondary",
  testId,
}: {
  action: (form: FormData) => Promise<void>;
  fields: Record<string, string>;
  label: string;
  pendingLabel: string;
  variant?: "primary" | "secondary";
  testId?: string;
}) {
  return (
    <form action={action}>
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <SubmitButton
        label={label}
        pendingLabel={pendingLabel}
        variant={variant}
        className="w-full py-3 text-base"
        testId={testId}
      />
    </form>
  );
}
