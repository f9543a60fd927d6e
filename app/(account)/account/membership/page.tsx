import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import { CancelRenewal } from "@/components/orders/cancel-renewal";
import { buttonClass } from "@/components/ui/button";
import { getDb } from "@/db";
import { findActiveAgreementOf } from "@/db/queries/agreements";
import { membershipOf, runningMembershipPlan } from "@/db/queries/entitlements";
import { findProductById } from "@/db/queries/products";
import { listOrdersOfUser } from "@/db/queries/orders";
import { pick, toLocale } from "@/i18n/locales";
import { requireUser } from "@/lib/auth/guards";
import { nextChargeDayOf } from "@/lib/billing/policy";
import { startOfShanghaiDate } from "@/lib/clock";
import { formatFen } from "@/lib/money";
import { getClock } from "@/lib/now";

/** Whole days of paid time left, rounded up: a week bought a minute ago is "7 days". */
function daysLeft(endsAt: Date, now: Date): number {
  return Math.ceil((endsAt.getTime() - now.getTime()) / 86_400_000);
}

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("membership.page"))("title") };
}

/** The buyer's membership: status and end, the auto-renewal and its next charge, paid periods. */
export default async function MembershipPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { cancelled } = await searchParams;
  const user = await requireUser("/account/membership");
  const db = await getDb();
  const [t, tLibrary, format, locale, clock, membership, agreement, orders] = await Promise.all([
    getTranslations("membership.page"),
    getTranslations("purchased"),
    getFormatter(),
    getLocale().then(toLocale),
    getClock(),
    membershipOf(db, user.id),
    findActiveAgreementOf(db, user.id),
    listOrdersOfUser(db, user.id),
  ]);
  const now = await clock.now();
  const active = membership.endsAt !== null && membership.endsAt > now;
  // Members-only content: readable while the membership runs, and only then.
  const running = await runningMembershipPlan(db, user.id, now);
  const runningPlan = running ? await findProductById(db, running.productId) : undefined;
  const membersContent = runningPlan
    ? pick(locale, runningPlan.contentZh, runningPlan.contentEn)
    : null;
  const paid = orders.filter(
    ({ order, product }) => product.kind === "membership" && order.status === "paid",
  );
  const day = (date: Date) =>
    format.dateTime(date, { dateStyle: "medium", timeZone: "Asia/Shanghai" });
  const plan = agreement ? paid.find(({ order }) => order.agreementId === agreement.id) : undefined;
  // The day money leaves (up to BILLING_EARLY_DAYS before the date Alipay's plan names).
  const chargeDay = agreement ? nextChargeDayOf(agreement) : null;

  return (
    <div className="mx-auto max-w-2xl space-y-5">
      <h1 className="text-2xl font-bold">{t("title")}</h1>
      {membership.endsAt === null ? (
        <p className="text-stone-600">
          {t("none")}{" "}
          <Link href="/" className="text-brand-600 underline">
            {t("browse")}
          </Link>
        </p>
      ) : (
        <section
          className="space-y-3 rounded-2xl border border-stone-200 bg-white p-5"
          data-testid="membership-status"
          data-active={active}
        >
          <p className={`text-lg font-semibold ${active ? "text-emerald-700" : "text-stone-600"}`}>
            {active ? t("active") : t("expired")}
          </p>
          <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
            <dt className="text-stone-500">{t("endsAt")}</dt>
            <dd data-testid="membership-ends">
              {day(membership.endsAt)}
              {active ? (
                <span className="ml-2 text-stone-500" data-testid="membership-days-left">
                  {t("daysLeft", { days: daysLeft(membership.endsAt, now) })}
                </span>
              ) : null}
            </dd>
            {plan ? (
              <>
                <dt className="text-stone-500">{t("plan")}</dt>
                <dd>{pick(locale, plan.product.nameZh, plan.product.nameEn)}</dd>
              </>
            ) : null}
            <dt className="text-stone-500">{t("autoRenew")}</dt>
            <dd data-testid="membership-auto-renew">
              {agreement ? t("autoRenewOn") : t("autoRenewOff")}
            </dd>
            {chargeDay && agreement ? (
              <>
                <dt className="text-stone-500">{t("nextCharge")}</dt>
                <dd data-testid="membership-next-charge" data-date={chargeDay}>
                  {t("nextChargeValue", {
                    date: day(startOfShanghaiDate(chargeDay)),
                    amount: formatFen(agreement.singleAmountFen),
                  })}
                </dd>
              </>
            ) : null}
          </dl>
          {agreement ? (
            <CancelRenewal endsAt={day(membership.endsAt)} />
          ) : cancelled === "1" ? (
            <p role="status" className="text-sm text-emerald-700" data-testid="cancel-done">
              {t("cancelDone")}
            </p>
          ) : null}
        </section>
      )}
      {membersContent ? (
        <section
          className="space-y-1 rounded-2xl bg-emerald-50 p-5 text-sm text-emerald-900"
          data-testid="members-content"
        >
          <h2 className="font-semibold">{t("membersContent")}</h2>
          <p className="break-words">{membersContent}</p>
          <Link
            href="/account/library"
            className="inline-block pt-1 font-medium underline"
            data-testid="members-library-link"
          >
            {tLibrary("openLibrary")}
          </Link>
        </section>
      ) : null}
      <section className="space-y-2">
        <h2 className="font-semibold">{t("history")}</h2>
        {paid.length === 0 ? <p className="text-sm text-stone-600">{t("noHistory")}</p> : null}
        <ul className="divide-y divide-stone-200 rounded-2xl border border-stone-200 bg-white">
          {paid.map(({ order, product }) => (
            <li
              key={order.id}
              className="flex flex-wrap justify-between gap-2 p-3 text-sm"
              data-testid="membership-period"
            >
              <span>
                {pick(locale, product.nameZh, product.nameEn)}
                {" · "}
                {t("period", { n: order.periodIndex ?? 1 })}
              </span>
              <span className="text-stone-500 tabular-nums">
                {formatFen(order.amountFen)}
                {" · "}
                {t("paidOn", { date: day(order.paidAt!) })}
              </span>
            </li>
          ))}
        </ul>
      </section>
      <Link href="/account/orders" className={buttonClass("secondary")}>
        {(await getTranslations("checkout"))("myOrders")}
      </Link>
    </div>
  );
}
