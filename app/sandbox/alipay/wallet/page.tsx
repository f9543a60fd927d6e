import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { Card } from "@/components/ui/card";
import { getEnv } from "@/lib/env";
import { formatFen } from "@/lib/money";
import { getAlipaySandbox } from "@/lib/sandbox/alipay";
import { loadWallet } from "@/lib/sandbox/alipay/pages";
import { SubmitButton } from "../../youzan/pay/submit-button";
import { walletAction } from "../actions";
import { ActionButton, Row, SandboxBanner, Shell } from "../parts";

/*
 * The buyer's wallet: the balance (settable) and every agreement with pause/resume and unsign.
 * An unsign here is "the user cancels in the Alipay wallet": its notify goes to the app gateway.
 */

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("sandbox.alipay.wallet");
  return { title: t("metaTitle"), robots: { index: false } };
}

const STATUSES = ["TEMP", "NORMAL", "STOP", "UNSIGN"] as const;
type Status = (typeof STATUSES)[number];

export default async function AlipayWalletPage({ searchParams }: Props) {
  if (!getEnv().isSandbox) notFound();
  const [t, tt, query, sandbox] = await Promise.all([
    getTranslations("sandbox.alipay.wallet"),
    getTranslations("sandbox.alipay.terms"),
    searchParams,
    getAlipaySandbox(),
  ]);
  const view = await loadWallet(sandbox, query);
  return (
    <Shell>
      <SandboxBanner />
      <div data-testid="wallet">
        <Card className="space-y-4">
          <h1 className="text-lg font-semibold">{t("title")}</h1>
          {view.error ? (
            <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700">
              {t("error", { reason: view.error })}
            </p>
          ) : null}
          <dl>
            <Row label={t("balance")} value={formatFen(view.balanceFen)} />
          </dl>
          <form action={walletAction} className="flex items-end gap-2">
            <input type="hidden" name="action" value="balance" />
            <label className="flex-1 text-sm">
              <span className="mb-1 block text-stone-600">{t("setBalance")}</span>
              <input
                name="balance"
                inputMode="decimal"
                required
                pattern="\d{1,9}(\.\d{1,2})?"
                className="block w-full rounded-lg border border-stone-300 px-3 py-2 tabular-nums"
              />
            </label>
            <SubmitButton label={t("save")} pendingLabel={t("saving")} variant="secondary" />
          </form>
        </Card>
      </div>
      <section className="space-y-3">
        <h2 className="px-1 text-sm font-semibold text-stone-700">{t("agreements")}</h2>
        {view.agreements.length === 0 ? (
          <p className="px-1 text-sm text-stone-500">{t("none")}</p>
        ) : null}
        {view.agreements.map((a) => {
          const status = (STATUSES as readonly string[]).includes(a.status)
            ? t(`status.${a.status as Status}`)
            : a.status;
          const period =
            a.periodType === "DAY"
              ? tt("periodDay", { period: a.period })
              : tt("periodMonth", { period: a.period });
          const live = a.status === "NORMAL" || a.status === "STOP";
          return (
            <div key={a.agreementNo} data-testid="wallet-agreement">
              <Card className="space-y-3">
                <dl className="space-y-2">
                  <Row
                    label={tt("externalNo")}
                    value={a.externalAgreementNo ?? a.agreementNo}
                    mono
                  />
                  <Row label={tt("period")} value={`${period} · ${status}`} />
                  <Row label={t("amount")} value={formatFen(a.singleAmountFen)} />
                  {live ? <Row label={t("nextDate")} value={a.nextDeductDate} /> : null}
                </dl>
                {live ? (
                  <div className="grid grid-cols-2 gap-2">
                    <ActionButton
                      action={walletAction}
                      fields={{
                        agreement_no: a.agreementNo,
                        action: a.status === "STOP" ? "resume" : "pause",
                      }}
                      label={a.status === "STOP" ? t("resume") : t("pause")}
                      pendingLabel={t("working")}
                    />
                    <ActionButton
                      action={walletAction}
                      fields={{ agreement_no: a.agreementNo, action: "unsign" }}
                      label={t("unsign")}
                      pendingLabel={t("working")}
                      testId="wallet-unsign"
                    />
                  </div>
                ) : null}
              </Card>
            </div>
          );
        })}
      </section>
    </Shell>
  );
}
