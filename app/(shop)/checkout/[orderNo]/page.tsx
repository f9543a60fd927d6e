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

export default async function CheckoutPage({ params }: Props) {
  const { orderNo } = await params;
  const { order, product } = await load(orderNo);
  const [t, locale] = await Promise.all([getTranslations("checkout"), getLocale().then(toLocale)]);
  const name = pick(locale, product.nameZh, product.nameEn);

  const summary = (
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

  if (order.status === "pending") {
    const image = await qrImageOf(order);
    return (
      <Card className="mx-auto max-w-md space-y-5" data-order-status="pending">
        <div>
          <h1 className="text-xl font-bold">{t("title")}</h1>
          <p className="mt-1 text-stone-600">{name}</p>
        </div>
        {summary}
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
        <CheckoutStatus
          orderNo={order.orderNo}
          expiresAt={order.expiresAt?.toISOString() ?? null}
        />
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

  const state =
    order.status === "paid"
      ? { title: t("paid"), hint: t("paidHint"), tone: "text-emerald-700" }
      : order.status === "review"
        ? { title: t("review"), hint: t("reviewHint"), tone: "text-amber-700" }
        : order.status === "refunded"
          ? { title: t("refunded"), hint: null, tone: "text-stone-700" }
          : { title: t("expired"), hint: t("expiredHint"), tone: "text-stone-700" };
  return (
    <Card className="mx-auto max-w-md space-y-5" data-order-status={order.status}>
      <div>
        <h1 className={`text-xl font-bold ${state.tone}`} data-testid="checkout-result">
          {state.title}
        </h1>
        <p className="mt-1 text-stone-600">{name}</p>
      </div>
      {summary}
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
