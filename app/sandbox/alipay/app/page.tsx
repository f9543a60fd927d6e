import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { getEnv } from "@/lib/env";
import { formatFen } from "@/lib/money";
import { getAlipaySandbox } from "@/lib/sandbox/alipay";
import { APP_PAGE, loadAppPage } from "@/lib/sandbox/alipay/pages";
import { SubmitButton } from "../../youzan/pay/submit-button";
import { appPayAction } from "../actions";
import { ActionButton, Notice, Row, SandboxBanner, Shell, Terms } from "../parts";

/*
 * The Alipay app's cashier for an `alipay.trade.app.pay` order string: pay (with the agreement
 * ticked → pay and sign), cancel, or simulate a failure. Without an order string: a paste form.
 */

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("sandbox.alipay.app");
  return { title: t("metaTitle"), robots: { index: false } };
}

const STATUSES = ["9000", "4000", "5000", "6001"] as const;

export default async function AlipayAppPage({ searchParams }: Props) {
  if (!getEnv().isSandbox) notFound();
  const [t, tc, tt, query, sandbox] = await Promise.all([
    getTranslations("sandbox.alipay.app"),
    getTranslations("sandbox.alipay.common"),
    getTranslations("sandbox.alipay.terms"),
    searchParams,
    getAlipaySandbox(),
  ]);
  const view = loadAppPage(sandbox, query);
  let content;
  switch (view.kind) {
    case "paste":
      content = (
        <div data-testid="app-paste">
          <Card className="space-y-4">
            <h1 className="text-lg font-semibold">{t("pasteTitle")}</h1>
            <p className="text-sm text-stone-600">{t("pasteBody")}</p>
            <form method="get" action={APP_PAGE} className="space-y-3">
              <label htmlFor="orderStr" className="block text-sm font-medium text-stone-700">
                {t("orderStr")}
              </label>
              <textarea
                id="orderStr"
                name="orderStr"
                required
                rows={6}
                className="block w-full rounded-lg border border-stone-300 p-2 font-mono text-xs break-all"
              />
              <button type="submit" className={buttonClass("primary", "w-full py-3")}>
                {t("open")}
              </button>
            </form>
          </Card>
        </div>
      );
      break;
    case "invalid":
      content = (
        <Notice
          testId="app-invalid"
          title={t("invalidTitle")}
          body={t("invalidBody", { reason: view.reason })}
        />
      );
      break;
    case "result": {
      const known = (STATUSES as readonly string[]).includes(view.resultStatus);
      content = (
        <Notice
          testId="app-result"
          title={t("resultTitle")}
          body={
            known
              ? t(`status.${view.resultStatus as (typeof STATUSES)[number]}`)
              : view.resultStatus
          }
        >
          <dl className="space-y-2">
            <Row label={t("resultStatus")} value={view.resultStatus} mono />
            {view.tradeNo ? <Row label={t("tradeNo")} value={view.tradeNo} mono /> : null}
            {view.agreementNo ? (
              <Row label={t("agreementNo")} value={view.agreementNo} mono />
            ) : null}
          </dl>
          {view.signError ? (
            <p role="alert" className="text-sm text-amber-700">
              {t("signError", { reason: view.signError })}
            </p>
          ) : null}
          <Link href={APP_PAGE} className={buttonClass("secondary", "w-full py-3")}>
            {t("again")}
          </Link>
        </Notice>
      );
      break;
    }
    case "form":
      content = (
        <div data-testid="app-form">
          <Card className="space-y-5">
            <div className="space-y-1 text-center">
              <h1 className="text-lg font-semibold">{t("title")}</h1>
              <p className="text-4xl font-bold tabular-nums">{formatFen(view.totalFen)}</p>
            </div>
            <dl className="space-y-2">
              <Row label={tc("merchant")} value={tc("merchantName")} />
              <Row label={t("subject")} value={view.subject} />
              <Row label={t("outTradeNo")} value={view.outTradeNo} mono />
            </dl>
            {view.terms ? <Terms terms={view.terms} /> : null}
            {view.termsError ? (
              <p role="alert" className="rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-800">
                {tt("invalid", { reason: view.termsError })}
              </p>
            ) : null}
            <form action={appPayAction} className="space-y-4">
              <input type="hidden" name="order_str" value={view.orderStr} />
              <input type="hidden" name="action" value="pay" />
              {view.terms || view.termsError ? (
                <label className="flex items-start gap-3 text-sm">
                  <input type="checkbox" name="agree" defaultChecked className="mt-1" />
                  <span>{t("agree")}</span>
                </label>
              ) : null}
              <SubmitButton
                label={t("pay")}
                pendingLabel={t("paying")}
                className="w-full py-3 text-base"
                testId="app-pay"
              />
            </form>
            <ActionButton
              action={appPayAction}
              fields={{ order_str: view.orderStr, action: "cancel" }}
              label={t("cancel")}
              pendingLabel={t("cancelling")}
              testId="app-cancel"
            />
            <details className="text-sm">
              <summary className="cursor-pointer text-stone-500">{t("simulate")}</summary>
              <div className="mt-3 space-y-2">
                <ActionButton
                  action={appPayAction}
                  fields={{ order_str: view.orderStr, action: "fail" }}
                  label={t("fail")}
                  pendingLabel={t("working")}
                />
                <ActionButton
                  action={appPayAction}
                  fields={{ order_str: view.orderStr, action: "balance_insufficient" }}
                  label={t("balanceInsufficient")}
                  pendingLabel={t("working")}
                />
              </div>
            </details>
          </Card>
        </div>
      );
      break;
  }
  return (
    <Shell>
      <SandboxBanner />
      {content}
    </Shell>
  );
}
