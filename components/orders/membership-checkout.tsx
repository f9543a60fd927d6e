import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { CheckoutStatus } from "@/components/orders/checkout-status";
import { buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import type { Order } from "@/db/schema";
import { startOfShanghaiDate } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { formatFen } from "@/lib/money";
import { retryChargeAction } from "@/lib/subscriptions/actions";
import type { MembershipCheckout } from "@/lib/subscriptions/view";

/**
 * The checkout of a membership (Alipay agreement): while unsigned, the signing QR code and link
 * with the terms the buyer agrees to; once signed, the first charge (or why it failed, with a
 * retry); once paid, "subscribed" with the membership's end and the next charge date.
 */
export async function MembershipCheckoutView({
  name,
  order,
  view,
}: {
  name: string;
  order: Order;
  view: MembershipCheckout;
}) {
  const [t, tc, format] = await Promise.all([
    getTranslations("membership"),
    getTranslations("checkout"),
    getFormatter(),
  ]);
  const day = (date: Date) =>
    format.dateTime(date, { dateStyle: "medium", timeZone: "Asia/Shanghai" });
  const { agreement } = view;
  const nextCharge = agreement.nextChargeDate
    ? day(startOfShanghaiDate(agreement.nextChargeDate))
    : null;

  if (order.status === "paid") {
    return (
      <Card className="mx-auto max-w-md space-y-5" data-order-status="paid">
        <div>
          <h1 className="text-xl font-bold text-emerald-700" data-testid="checkout-result">
            {t("subscribed")}
          </h1>
          <p className="mt-1 text-stone-600">{name}</p>
        </div>
        <p className="text-sm text-stone-600">{t("subscribedHint")}</p>
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          <dt className="text-stone-500">{tc("amount")}</dt>
          <dd className="font-semibold tabular-nums">{formatFen(order.amountFen)}</dd>
          {view.membershipEndsAt ? (
            <>
              <dt className="text-stone-500">{t("endsAt")}</dt>
              <dd data-testid="checkout-member-until">{day(view.membershipEndsAt)}</dd>
            </>
          ) : null}
          {agreement.status === "active" && nextCharge ? (
            <>
              <dt className="text-stone-500">{t("nextCharge")}</dt>
              <dd data-testid="checkout-next-charge">{nextCharge}</dd>
            </>
          ) : null}
          <dt className="text-stone-500">{tc("orderNo")}</dt>
          <dd className="font-mono text-xs break-all">{order.orderNo}</dd>
        </dl>
        <Link href="/account/membership" className={buttonClass("primary", "w-full sm:w-auto")}>
          {t("manage")}
        </Link>
      </Card>
    );
  }

  return (
    <Card className="mx-auto max-w-md space-y-5" data-order-status={order.status}>
      <div>
        <h1 className="text-xl font-bold">{t("checkoutTitle")}</h1>
        <p className="mt-1 text-stone-600">{name}</p>
      </div>
      <section
        className="space-y-2 rounded-xl bg-stone-50 p-4 text-sm"
        data-testid="agreement-terms"
      >
        <h2 className="font-semibold">{t("terms")}</h2>
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1">
          <dt className="text-stone-500">{t("termsAmount")}</dt>
          <dd className="font-semibold text-brand-600 tabular-nums" data-testid="checkout-amount">
            {formatFen(agreement.singleAmountFen)}
          </dd>
          <dt className="text-stone-500">{t("termsPeriod")}</dt>
          <dd>{t("termsPeriodDays", { days: agreement.periodDays })}</dd>
          {nextCharge && agreement.status === "pending_sign" ? (
            <>
              <dt className="text-stone-500">{t("termsFirst")}</dt>
              <dd>{nextCharge}</dd>
            </>
          ) : null}
        </dl>
        <p className="text-stone-600">{t("termsCancel")}</p>
      </section>
      {view.sign ? (
        <>
          <a
            href={view.sign.url}
            className={buttonClass("primary", "w-full py-3 text-base")}
            data-testid="open-sign"
          >
            {t("openSign")}
          </a>
          {/* eslint-disable-next-line @next/next/no-img-element -- a data URL drawn on the server */}
          <img
            src={view.sign.qr}
            alt={t("qrAlt")}
            width={240}
            height={240}
            className="mx-auto rounded-lg border border-stone-200"
            data-testid="checkout-qr"
          />
          <p className="text-center text-sm text-stone-600">{t("signHint")}</p>
          {getEnv().isSandbox ? (
            <p className="text-center">
              <a
                href={view.sign.url}
                target="_blank"
                rel="noreferrer"
                className="text-xs text-stone-500 underline"
                data-testid="sandbox-sign-link"
              >
                {t("sandboxSign")}
              </a>
            </p>
          ) : null}
        </>
      ) : view.declined ? (
        <form action={retryChargeAction} className="space-y-2">
          <input type="hidden" name="orderNo" value={order.orderNo} />
          <p role="alert" className="text-sm text-amber-800" data-testid="charge-declined">
            {t("declined", { reason: view.declined.message ?? view.declined.code ?? "?" })}
          </p>
          <button type="submit" className={buttonClass("primary")}>
            {t("retry")}
          </button>
        </form>
      ) : (
        <p className="text-center text-sm text-stone-600" data-testid="charging">
          {t("charging")}
        </p>
      )}
      {order.status === "pending" ? (
        <CheckoutStatus orderNo={order.orderNo} expiresAt={null} waiting="waitingSign" />
      ) : null}
    </Card>
  );
}
