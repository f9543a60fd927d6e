import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { Card } from "@/components/ui/card";
import { getEnv } from "@/lib/env";
import { getAlipaySandbox } from "@/lib/sandbox/alipay";
import { loadSignPage } from "@/lib/sandbox/alipay/pages";
import { signAction } from "../actions";
import { ActionButton, Notice, Row, SandboxBanner, Shell, Terms } from "../parts";

/*
 * What a page.sign URL opens (gateway.do redirects a browser here with the same query): the
 * agreement's terms with 签约 and 取消, as the Alipay sign page would show them.
 */

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("sandbox.alipay.sign");
  return { title: t("metaTitle"), robots: { index: false } };
}

export default async function AlipaySignPage({ searchParams }: Props) {
  if (!getEnv().isSandbox) notFound();
  const [t, tc, query, sandbox] = await Promise.all([
    getTranslations("sandbox.alipay.sign"),
    getTranslations("sandbox.alipay.common"),
    searchParams,
    getAlipaySandbox(),
  ]);
  const view = loadSignPage(sandbox, query);
  return (
    <Shell>
      <SandboxBanner />
      {view.kind === "signed" ? (
        <Notice testId="sign-done" title={t("signedTitle")} body={t("signedBody")}>
          <dl>
            <Row label={t("agreementNo")} value={view.agreementNo} mono />
          </dl>
        </Notice>
      ) : view.kind === "cancelled" ? (
        <Notice testId="sign-cancelled" title={t("cancelledTitle")} body={t("cancelledBody")} />
      ) : view.kind === "invalid" ? (
        <Notice
          testId="sign-invalid"
          title={t("invalidTitle")}
          body={t("invalidBody", { reason: view.reason })}
        />
      ) : (
        <div data-testid="sign-form">
          <Card className="space-y-5">
            <div className="space-y-1 text-center">
              <h1 className="text-lg font-semibold">{t("title")}</h1>
              <p className="text-sm text-stone-600">{t("lead")}</p>
            </div>
            <dl>
              <Row label={tc("merchant")} value={tc("merchantName")} />
            </dl>
            <Terms terms={view.terms} />
            <ActionButton
              action={signAction}
              fields={{ sign_url: view.signUrl, action: "sign" }}
              label={t("sign")}
              pendingLabel={t("signing")}
              variant="primary"
              testId="sign-submit"
            />
            <ActionButton
              action={signAction}
              fields={{ sign_url: view.signUrl, action: "cancel" }}
              label={t("cancel")}
              pendingLabel={t("cancelling")}
              testId="sign-cancel"
            />
          </Card>
        </div>
      )}
    </Shell>
  );
}
