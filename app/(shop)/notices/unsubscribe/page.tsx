import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { getDb } from "@/db";
import { isUnsubscribed } from "@/db/queries/notice-settings";
import { getEnv } from "@/lib/env";
import { readUnsubscribeToken } from "@/lib/notices/tokens";
import { resubscribeAction, unsubscribeAction } from "./actions";
import { SubmitButton } from "./submit-button";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("noticeUnsubscribe");
  // The URL carries the buyer's token: never indexed.
  return { title: t("title"), robots: { index: false, follow: false } };
}

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

/**
 * /notices/unsubscribe?token=…: the link in a renewal reminder. Opening it changes nothing (mail
 * scanners follow links): it says what unsubscribing means and asks; the button posts (a server
 * action) and comes back here, where the state is read from the database — unsubscribed, with
 * "subscribe again". A token that is not one of ours gets a clear message. No sign-in needed.
 */
export default async function UnsubscribePage({ searchParams }: Props) {
  const query = await searchParams;
  const token = typeof query.token === "string" ? query.token : null;
  const found = readUnsubscribeToken(getEnv().authSecret, token);
  const t = await getTranslations("noticeUnsubscribe");

  if (!found || token === null) {
    return (
      <div className="mx-auto max-w-lg">
        <Card className="space-y-4" data-testid="unsubscribe-invalid">
          <h1 className="text-xl font-bold">{t("invalidTitle")}</h1>
          <p className="text-sm text-stone-700">{t("invalid")}</p>
          <div className="flex flex-wrap gap-3">
            <Link href="/account" className={buttonClass("primary", "min-h-11")}>
              {t("account")}
            </Link>
            <Link href="/" className={buttonClass("secondary", "min-h-11")}>
              {t("home")}
            </Link>
          </div>
        </Card>
      </div>
    );
  }

  const unsubscribed = await isUnsubscribed(await getDb(), found.userId, found.category);
  const done = query.done;
  return (
    <div className="mx-auto max-w-lg">
      {unsubscribed ? (
        <Card className="space-y-4" data-testid="unsubscribe-done">
          <h1 className="text-xl font-bold">{t("doneTitle")}</h1>
          <p
            role={done === "unsubscribed" ? "status" : undefined}
            className="text-sm text-stone-700"
          >
            {t("done")}
          </p>
          <form action={resubscribeAction} className="space-y-2">
            <input type="hidden" name="token" value={token} />
            <p className="text-sm text-stone-500">{t("resubscribeHint")}</p>
            <SubmitButton
              label={t("resubscribe")}
              pendingLabel={t("pending")}
              variant="secondary"
              testId="resubscribe"
            />
          </form>
        </Card>
      ) : (
        <Card className="space-y-4" data-testid="unsubscribe-confirm">
          <h1 className="text-xl font-bold">{t("title")}</h1>
          {done === "resubscribed" ? (
            <p
              role="status"
              className="rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-800"
              data-testid="unsubscribe-resubscribed"
            >
              {t("resubscribed")}
            </p>
          ) : null}
          <p className="text-sm text-stone-700">{t("confirm")}</p>
          <form action={unsubscribeAction}>
            <input type="hidden" name="token" value={token} />
            <SubmitButton label={t("submit")} pendingLabel={t("pending")} testId="unsubscribe" />
          </form>
        </Card>
      )}
    </div>
  );
}
