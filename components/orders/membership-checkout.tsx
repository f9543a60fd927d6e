import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { CheckoutCard, OrderSummary, QrFigure } from "@/components/checkout/checkout-parts";
import { PayActions } from "@/components/checkout/pay-actions";
import { SandboxPhoneNote } from "@/components/checkout/sandbox-phone-note";
import { CheckoutStatus } from "@/components/orders/checkout-status";
import { buttonClass } from "@/components/ui/button";
import type { Order } from "@/db/schema";
import { nextChargeDayOf } from "@/lib/billing/policy";
import { startOfShanghaiDate } from "@/lib/clock";
import type { CheckoutState } from "@/lib/orders/checkout-state";
import { formatFen } from "@/lib/money";
import type { Device } from "@/lib/orders/device";
import { qrPngOf } from "@/lib/orders/view";
import { retryChargeAction } from "@/lib/subscriptions/actions";
import type { MembershipCheckout } from "@/lib/subscriptions/view";

/**
 * The checkout of a membership (Alipay agreement): while unsigned, "open Alipay to sign" (first on
 * a phone), "save the QR code" and the QR code, with the terms the buyer agrees to; once signed,
 * the first charge (or why it failed, with a retry); once paid, "subscribed" with the
 * membership's end and the next charge date.
 */
export async function MembershipCheckoutView({
  name,
  order,
  view,
  state,
  device,
  serverNow,
}: {
  name: string;
  order: Order;
  view: MembershipCheckout;
  state: CheckoutState;
  device: Device;
  serverNow: string;
}) {
  const [t, format] = await Promise.all([getTranslations("membership"), getFormatter()]);
  const day = (date: Date) =>
    format.dateTime(date, { dateStyle: "medium", timeZone: "Asia/Shanghai" });
  const { agreement } = view;
  // The day money next leaves (its first attempt), not the later date Alipay's plan names.
  const chargeDay = nextChargeDayOf(agreement);
  const nextCharge = chargeDay ? day(startOfShanghaiDate(chargeDay)) : null;
  const card = (children: React.ReactNode) => (
    <CheckoutCard state={state} name={name} order={order}>
      {children}
    </CheckoutCard>
  );

  if (order.status === "paid") {
    return card(
      <>
        <OrderSummary state={state} order={order}>
          {view.membershipEndsAt ? (
            <>
              <dt className="text-stone-500">{t("endsAt")}</dt>
              <dd data-testid="checkout-member-until">{day(view.membershipEndsAt)}</dd>
            </>
          ) : null}
          {nextCharge ? (
            <>
              <dt className="text-stone-500">{t("nextCharge")}</dt>
              <dd data-testid="checkout-next-charge">{nextCharge}</dd>
            </>
          ) : null}
        </OrderSummary>
        <p className="text-sm text-stone-600">{t("subscribedHint")}</p>
        <Link href="/account/membership" className={buttonClass("primary", "w-full sm:w-auto")}>
          {t("manage")}
        </Link>
      </>,
    );
  }

  const [tc, signPng] = await Promise.all([
    getTranslations("checkout"),
    view.sign ? qrPngOf(view.sign.url) : null,
  ]);
  return card(
    <>
      <OrderSummary state={state} order={order} amountFen={agreement.singleAmountFen} />
      <section
        className="space-y-2 rounded-xl bg-stone-50 p-4 text-sm"
        data-testid="agreement-terms"
      >
        <h2 className="font-semibold">{t("terms")}</h2>
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1">
          <dt className="text-stone-500">{t("termsAmount")}</dt>
          <dd className="tabular-nums" data-testid="agreement-amount">
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
      {order.status === "pending" ? (
        <CheckoutStatus
          orderNo={order.orderNo}
          expiresAt={null}
          serverNow={serverNow}
          waiting="waitingSign"
        />
      ) : null}
      {view.sign && signPng ? (
        <>
          <PayActions
            url={view.sign.url}
            png={signPng}
            orderNo={order.orderNo}
            kind="sign"
            device={device}
          />
          <QrFigure
            // The long page.sign URL makes a dense code: drawn at 6 pixels a module, it stays sharp.
            src={signPng}
            alt={t("qrAlt")}
            caption={device.mobile ? tc("pay.otherDeviceSign") : t("signHint")}
          />
          <SandboxPhoneNote />
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
    </>,
  );
}
