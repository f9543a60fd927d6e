import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { getEnv } from "@/lib/env";
import { formatFen } from "@/lib/money";
import { getYouzanSandbox } from "@/lib/sandbox/youzan";
import {
  loadPayPage,
  PAY_METHODS,
  PAY_PAGE_PATH,
  type PayPageView,
} from "@/lib/sandbox/youzan/pay-page";
import { cancelAction, payAction } from "./actions";
import { SubmitButton } from "./submit-button";

/*
 * What a phone opens when it scans a sandbox QR code (qr_url): the payer's side of Youzan's
 * checkout. Pay → youzan sandbox pay() (trade paid, pushes to the shop); Cancel → an unpaid scan.
 */

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("sandbox.youzan.pay");
  return { title: t("metaTitle"), robots: { index: false } };
}

type T = Awaited<ReturnType<typeof getTranslations<"sandbox.youzan.pay">>>;

function SandboxBanner({ t }: { t: T }) {
  return (
    <div
      className="rounded-xl border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900"
      data-testid="sandbox-banner"
    >
      <p className="font-bold tracking-wide">{t("badge")}</p>
      <p className="mt-1 text-amber-800">{t("notice")}</p>
    </div>
  );
}

const ICONS = {
  success: { circle: "bg-emerald-100", stroke: "text-emerald-600", path: "M5 12.5l4.5 4.5L19 7" },
  warning: { circle: "bg-amber-100", stroke: "text-amber-600", path: "M12 7v6m0 4h.01" },
  neutral: { circle: "bg-stone-100", stroke: "text-stone-500", path: "M12 8h.01M12 11v6" },
} as const;

function Message({
  title,
  body,
  tone = "neutral",
  testId,
  children,
}: {
  title: string;
  body: string;
  tone?: "neutral" | "success" | "warning";
  testId: string;
  children?: ReactNode;
}) {
  const { circle, stroke, path } = ICONS[tone];
  return (
    <div data-testid={testId}>
      <Card className="space-y-4 text-center">
        <div className={`mx-auto flex size-14 items-center justify-center rounded-full ${circle}`}>
          <svg
            aria-hidden
            viewBox="0 0 24 24"
            fill="none"
            strokeWidth={2.5}
            strokeLinecap="round"
            strokeLinejoin="round"
            className={`size-7 ${stroke}`}
          >
            <path d={path} stroke="currentColor" />
          </svg>
        </div>
        <h1 className="text-xl font-bold">{title}</h1>
        <p className="text-sm leading-relaxed text-stone-600">{body}</p>
        {children}
      </Card>
    </div>
  );
}

function Summary({ t, view }: { t: T; view: Extract<PayPageView, { qr: unknown }> }) {
  return (
    <dl className="space-y-3">
      <div className="flex items-baseline justify-between gap-4 text-sm">
        <dt className="shrink-0 text-stone-500">{t("merchant")}</dt>
        <dd className="text-right font-medium">{t("shopName")}</dd>
      </div>
      <div className="flex items-baseline justify-between gap-4 text-sm">
        <dt className="shrink-0 text-stone-500">{t("reason")}</dt>
        <dd className="text-right font-medium break-all" data-testid="pay-qr-name">
          {view.qr.name}
        </dd>
      </div>
      <div className="flex items-baseline justify-between gap-4 text-sm">
        <dt className="shrink-0 text-stone-500">{t("qrId")}</dt>
        <dd className="font-mono text-xs">{view.qr.qrId}</dd>
      </div>
    </dl>
  );
}

function PayForm({ t, view }: { t: T; view: Extract<PayPageView, { kind: "pay" }> }) {
  const { qr, error } = view;
  const payerChoosesAmount = qr.priceFen === null;
  return (
    <div data-testid="pay-form">
      <Card className="space-y-5">
        <div className="space-y-1 text-center">
          <h1 className="text-lg font-semibold">{t("title")}</h1>
          {payerChoosesAmount ? null : (
            <p className="text-4xl font-bold text-stone-900 tabular-nums" data-testid="pay-amount">
              {formatFen(qr.priceFen ?? 0)}
            </p>
          )}
        </div>
        <Summary t={t} view={view} />
        {error ? (
          <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700">
            {t(`errors.${error}`)}
          </p>
        ) : null}
        <form action={payAction} className="space-y-4">
          <input type="hidden" name="qr_id" value={qr.qrId} />
          {payerChoosesAmount ? (
            <div className="space-y-1">
              <label htmlFor="amount" className="block text-sm font-medium text-stone-700">
                {t("amountLabel")}
              </label>
              <input
                id="amount"
                name="amount"
                inputMode="decimal"
                required
                pattern="\d{1,9}(\.\d{1,2})?"
                placeholder="9.90"
                className="block w-full rounded-lg border border-stone-300 bg-white px-3 py-3 text-2xl tabular-nums focus:border-brand-500 focus:ring-2 focus:ring-brand-100 focus:outline-none"
              />
              <p className="text-xs text-stone-500">{t("amountHint")}</p>
            </div>
          ) : null}
          <fieldset className="space-y-2">
            <legend className="mb-2 text-sm font-medium text-stone-700">{t("method")}</legend>
            {PAY_METHODS.map((method, index) => (
              <label
                key={method}
                className="flex cursor-pointer items-center gap-3 rounded-lg border border-stone-200 px-3 py-3 has-checked:border-brand-500 has-checked:bg-brand-50"
              >
                <input
                  type="radio"
                  name="pay_type"
                  value={method}
                  defaultChecked={index === 0}
                  className="accent-brand-600"
                />
                <span className="text-sm">{t(`methods.${method}`)}</span>
              </label>
            ))}
          </fieldset>
          <SubmitButton
            label={t("pay")}
            pendingLabel={t("paying")}
            className="w-full py-3 text-base"
            testId="pay-submit"
          />
        </form>
        <form action={cancelAction}>
          <input type="hidden" name="qr_id" value={qr.qrId} />
          <SubmitButton
            label={t("cancel")}
            pendingLabel={t("cancelling")}
            variant="secondary"
            className="w-full py-3 text-base"
            testId="pay-cancel"
          />
        </form>
      </Card>
    </div>
  );
}

function View({ t, view }: { t: T; view: PayPageView }) {
  switch (view.kind) {
    case "missing":
      return <Message testId="pay-missing" title={t("missingTitle")} body={t("missingBody")} />;
    case "unknown":
      return (
        <Message
          testId="pay-unknown"
          tone="warning"
          title={t("unknownTitle")}
          body={t("unknownBody", { qrId: view.qrId })}
        />
      );
    case "alreadyPaid":
      return (
        <Message
          testId="pay-already-paid"
          tone="warning"
          title={t("alreadyPaidTitle")}
          body={t("alreadyPaidBody")}
        >
          <Summary t={t} view={view} />
        </Message>
      );
    case "cancelled":
      return (
        <Message testId="pay-cancelled" title={t("cancelledTitle")} body={t("cancelledBody")}>
          <Link
            href={`${PAY_PAGE_PATH}?qr_id=${encodeURIComponent(view.qr.qrId)}`}
            className={buttonClass("secondary", "w-full py-3")}
          >
            {t("payAgain")}
          </Link>
        </Message>
      );
    case "paid":
      return (
        <Message testId="pay-paid" tone="success" title={t("paidTitle")} body={t("paidBody")}>
          {view.amountFen !== null ? (
            <p
              className="text-3xl font-bold text-emerald-700 tabular-nums"
              data-testid="paid-amount"
            >
              {formatFen(view.amountFen)}
            </p>
          ) : null}
          <Summary t={t} view={view} />
          <div className="flex items-baseline justify-between gap-4 border-t border-stone-100 pt-3 text-sm">
            <span className="shrink-0 text-stone-500">{t("tradeNo")}</span>
            <span className="font-mono text-xs break-all" data-testid="paid-tid">
              {view.tid}
            </span>
          </div>
        </Message>
      );
    case "pay":
      return <PayForm t={t} view={view} />;
  }
}

export default async function SandboxYouzanPayPage({ searchParams }: Props) {
  if (!getEnv().isSandbox) notFound();
  const [t, params, sandbox] = await Promise.all([
    getTranslations("sandbox.youzan.pay"),
    searchParams,
    getYouzanSandbox(),
  ]);
  const view = await loadPayPage(sandbox, params);
  return (
    <div className="mx-auto w-full max-w-sm space-y-4">
      <SandboxBanner t={t} />
      <View t={t} view={view} />
    </div>
  );
}
