import type { Metadata } from "next";
import { headers } from "next/headers";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getLocale, getTranslations } from "next-intl/server";
import { cache } from "react";
import { CheckoutCard, OrderSummary, QrFigure } from "@/components/checkout/checkout-parts";
import { PayActions } from "@/components/checkout/pay-actions";
import { SandboxPhoneNote } from "@/components/checkout/sandbox-phone-note";
import { CheckoutStatus } from "@/components/orders/checkout-status";
import { MembershipCheckoutView } from "@/components/orders/membership-checkout";
import { PurchasedContent } from "@/components/orders/purchased-content";
import { buttonClass } from "@/components/ui/button";
import { getDb } from "@/db";
import { pick, toLocale } from "@/i18n/locales";
import { requireUser } from "@/lib/auth/guards";
import { isAppError } from "@/lib/errors";
import { now } from "@/lib/now";
import { checkoutState, type CheckoutState } from "@/lib/orders/checkout-state";
import { deviceOf, type Device } from "@/lib/orders/device";
import { orderForViewer, qrPngOf } from "@/lib/orders/view";
import { getRuntime } from "@/lib/runtime";
import { membershipCheckout } from "@/lib/subscriptions/view";

interface Props {
  params: Promise<{ orderNo: string }>;
}

/**
 * The order, the membership view when it is one, and the state the checkout shows — read once
 * per request, shared by the metadata (the tab title) and the page.
 */
const loadCheckout = cache(async (orderNo: string) => {
  const user = await requireUser();
  let found;
  try {
    found = await orderForViewer(await getDb(), orderNo, user);
  } catch (error) {
    if (isAppError(error, "not_found")) notFound();
    throw error;
  }
  const { order } = found;
  const membership =
    order.provider === "alipay" && (order.status === "pending" || order.status === "paid")
      ? await membershipCheckout(await getRuntime(), order)
      : null;
  const state = checkoutState(
    order,
    membership && {
      agreementStatus: membership.agreement.status,
      signable: membership.sign !== null,
      declined: membership.declined !== null,
    },
  );
  return { ...found, membership, state };
});

type Loaded = Awaited<ReturnType<typeof loadCheckout>>;

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { state } = await loadCheckout((await params).orderNo);
  const t = await getTranslations("checkout.states");
  return { title: t(`${state}.title`), robots: { index: false, follow: false } };
}

export default async function CheckoutPage({ params }: Props) {
  const loaded = await loadCheckout((await params).orderNo);
  const [locale, requestHeaders] = await Promise.all([getLocale().then(toLocale), headers()]);
  const name = pick(locale, loaded.product.nameZh, loaded.product.nameEn);
  const device = deviceOf(requestHeaders.get("user-agent"));
  // Read last: the countdown's first text is the time left at this instant, on both sides.
  const serverNow = (await now()).toISOString();
  if (loaded.membership) {
    return (
      <MembershipCheckoutView
        name={name}
        order={loaded.order}
        view={loaded.membership}
        state={loaded.state}
        device={device}
        serverNow={serverNow}
      />
    );
  }
  return loaded.order.status === "pending" ? (
    <PendingCheckout name={name} order={loaded.order} device={device} serverNow={serverNow} />
  ) : (
    <FinishedCheckout name={name} {...loaded} />
  );
}

/**
 * Waiting for the payment. On a phone the buyer pays on this very device: "open the payment page"
 * comes first, then "save the QR code"; the QR stays for paying from a second device.
 */
async function PendingCheckout({
  name,
  order,
  device,
  serverNow,
}: {
  name: string;
  order: Loaded["order"];
  device: Device;
  serverNow: string;
}) {
  const [t, tp, png] = await Promise.all([
    getTranslations("checkout"),
    getTranslations("checkout.pay"),
    order.qrUrl ? qrPngOf(order.qrUrl) : null,
  ]);
  // Youzan's own image when it sent one; else the code we draw for "save", sharp on any screen.
  const image = order.qrImage?.startsWith("data:image/") ? order.qrImage : png;
  return (
    <CheckoutCard state="waiting" name={name} order={order}>
      <OrderSummary state="waiting" order={order} />
      <CheckoutStatus
        orderNo={order.orderNo}
        expiresAt={order.expiresAt?.toISOString() ?? null}
        serverNow={serverNow}
      />
      {order.qrUrl && png ? (
        <PayActions
          url={order.qrUrl}
          png={png}
          orderNo={order.orderNo}
          kind="pay"
          device={device}
        />
      ) : null}
      {image ? (
        <QrFigure
          src={image}
          alt={t("qrAlt")}
          caption={device.mobile ? tp("otherDevice") : t("scanHint")}
        />
      ) : null}
      <SandboxPhoneNote />
    </CheckoutCard>
  );
}

const HINT: Partial<Record<CheckoutState, string>> = {
  paid: "paidHint",
  review: "reviewHint",
  expired: "expiredHint",
  closed: "closedHint",
  refunded: "refundedHint",
};

/** Paid (with the content), in review, refunded, or closed (with the way to start again). */
async function FinishedCheckout({ name, state, order, product }: Loaded & { name: string }) {
  const t = await getTranslations("checkout");
  const hint = HINT[state];
  return (
    <CheckoutCard state={state} name={name} order={order}>
      <OrderSummary state={state} order={order} />
      {hint ? <p className="text-sm text-stone-600">{t(hint)}</p> : null}
      <PurchasedContent order={order} product={product} />
      <div className="flex flex-wrap gap-2">
        {order.status === "expired" || order.status === "closed" ? (
          <Link href={`/products/${product.slug}`} className={buttonClass("primary")}>
            {t("startAgain")}
          </Link>
        ) : null}
        <Link href="/account/orders" className={buttonClass("secondary")}>
          {t("myOrders")}
        </Link>
      </div>
    </CheckoutCard>
  );
}
