import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getLocale, getTranslations } from "next-intl/server";
import { CheckoutStatus } from "@/components/orders/checkout-status";
import { PurchasedContent } from "@/components/orders/purchased-content";
import { buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { getDb } from "@/db";
import { pick, toLocale } from "@/i18n/locales";
import { requireUser } from "@/lib/auth/guards";
import { getEnv } from "@/lib/env";
import { isAppError } from "@/lib/errors";
import { formatFen } from "@/lib/money";
import { orderForViewer, qrImageOf } from "@/lib/orders/view";
import { getRuntime } from "@/lib/runtime";
import { membershipCheckout } from "@/lib/subscriptions/view";
import { MembershipCheckoutView } from "@/components/orders/membership-checkout";

interface Props {
  params: Promise<{ orderNo: string }>;
}

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("checkout"))("title") };
}

async function load(orderNo: string) {
  const user = await requireUser();
  try {
    return await orderForViewer(await getDb(), orderNo, user);
  } catch (error) {
    if (isAppError(error, "not_found")) notFound();
    throw error;
  }
}

type Translate = Awaited<ReturnType<typeof getTranslations<"checkout">>>;
type Loaded = Awaited<ReturnType<typeof load>>;

export default async function CheckoutPage({ params }: Props) {
  const { orderNo } = await params;
  const loaded = await load(orderNo);
  const [t, locale] = await Promise.all([getTranslations("checkout"), getLocale().then(toLocale)]);
  const name = pick(locale, loaded.product.nameZh, loaded.product.nameEn);
  if (
    loaded.order.provider === "alipay" &&
    (loaded.order.status === "pending" || loaded.order.status === "paid")
  ) {
    const view = await membershipCheckout(await getRuntime(), loaded.order);
    if (view) return <MembershipCheckoutView name={name} order={loaded.order} view={view} />;
  }
  return loaded.order.status === "pending" ? (
    <PendingCheckout t={t} name={name} {...loaded} />
  ) : (
    <FinishedCheckout t={t} name={name} {...loaded} />
  );
}

function OrderSummary({ t, order }: { t: Translate; order: Loaded["order"] }) {
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
      <dt className="text-stone-500">{t("amount")}</dt>
      <dd
        className="text-lg font-semibold text-brand-600 tabular-nums"
        data-testid="checkout-amount"
      >
        {formatFen(order.amountFen)}
      </dd>
      <dt className="text-stone-500">{t("orderNo")}</dt>
      <dd className="font-mono text-xs break-all">{order.orderNo}</dd>
    </dl>
  );
}

/** Waiting for the payment: the QR code, the countdown and the status poll. */
async function PendingCheckout({ t, name, order }: Loaded & { t: Translate; name: string }) {
  const image = await qrImageOf(order);
  return (
    <Card className="mx-auto max-w-md space-y-5" data-order-status="pending">
      <div>
        <h1 className="text-xl font-bold">{t("title")}</h1>
        <p className="mt-1 text-stone-600">{name}</p>
      </div>
      <OrderSummary t={t} order={order} />
      {image ? (
        // A data URL drawn on the server; next/image adds nothing for it.
        // eslint-disable-next-line @next/next/no-img-element
        <img
          src={image}
          alt={t("qrAlt")}
          width={240}
          height={240}
          className="mx-auto rounded-lg border border-stone-200"
          data-testid="checkout-qr"
        />
      ) : null}
      <p className="text-center text-sm text-stone-600">{t("scanHint")}</p>
      <CheckoutStatus orderNo={order.orderNo} expiresAt={order.expiresAt?.toISOString() ?? null} />
      {getEnv().isSandbox && order.qrUrl ? (
        <p className="text-center">
          <a
            href={order.qrUrl}
            target="_blank"
            rel="noreferrer"
            className="text-xs text-stone-500 underline"
            data-testid="sandbox-pay-link"
          >
            {t("sandboxPay")}
          </a>
        </p>
      ) : null}
    </Card>
  );
}

function finishedState(t: Translate, status: Loaded["order"]["status"]) {
  if (status === "paid") return { title: t("paid"), hint: t("paidHint"), tone: "text-emerald-700" };
  if (status === "review") {
    return { title: t("review"), hint: t("reviewHint"), tone: "text-amber-700" };
  }
  if (status === "refunded") return { title: t("refunded"), hint: null, tone: "text-stone-700" };
  return { title: t("expired"), hint: t("expiredHint"), tone: "text-stone-700" };
}

/** Paid (with the content), in review, refunded, or closed (with the way to start again). */
function FinishedCheckout({ t, name, order, product }: Loaded & { t: Translate; name: string }) {
  const state = finishedState(t, order.status);
  return (
    <Card className="mx-auto max-w-md space-y-5" data-order-status={order.status}>
      <div>
        <h1 className={`text-xl font-bold ${state.tone}`} data-testid="checkout-result">
          {state.title}
        </h1>
        <p className="mt-1 text-stone-600">{name}</p>
      </div>
      <OrderSummary t={t} order={order} />
      {state.hint ? <p className="text-sm text-stone-600">{state.hint}</p> : null}
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
    </Card>
  );
}
