import { getTranslations } from "next-intl/server";
import { Card } from "@/components/ui/card";
import type { Order } from "@/db/schema";
import type { CheckoutState } from "@/lib/orders/checkout-state";
import { formatFen } from "@/lib/money";

const TONE: Partial<Record<CheckoutState, string>> = {
  paid: "text-emerald-700",
  subscribed: "text-emerald-700",
  review: "text-amber-700",
  chargeDeclined: "text-amber-700",
};

/** The checkout's card in a given state: its heading, then what the state shows. */
export function CheckoutCard({
  state,
  name,
  order,
  children,
}: {
  state: CheckoutState;
  name: string;
  order: Order;
  children: React.ReactNode;
}) {
  return (
    <Card
      className="mx-auto flex max-w-md flex-col gap-5"
      data-testid="checkout"
      data-checkout-state={state}
      data-order-status={order.status}
    >
      <CheckoutHeading state={state} name={name} />
      {children}
    </Card>
  );
}

/** The checkout's heading: the state's own words, then what is being bought. */
export async function CheckoutHeading({ state, name }: { state: CheckoutState; name: string }) {
  const t = await getTranslations("checkout.states");
  return (
    <div>
      <h1 className={`text-xl font-bold ${TONE[state] ?? ""}`} data-testid="checkout-heading">
        {t(`${state}.heading`)}
      </h1>
      <p className="mt-1 text-stone-600">{name}</p>
    </div>
  );
}

/**
 * The amount under the state's own label (due, paid, refunded…) and the order number; `extra`
 * rows (a membership's end, its next charge) follow the amount.
 */
export async function OrderSummary({
  state,
  order,
  amountFen = order.amountFen,
  children,
}: {
  state: CheckoutState;
  order: Pick<Order, "orderNo" | "amountFen">;
  amountFen?: number;
  children?: React.ReactNode;
}) {
  const [t, ts] = await Promise.all([
    getTranslations("checkout"),
    getTranslations("checkout.states"),
  ]);
  const open = state === "waiting" || state === "signWaiting" || state === "chargeDeclined";
  return (
    <dl className="grid grid-cols-[auto_1fr] items-baseline gap-x-4 gap-y-1 text-sm">
      <dt className="text-stone-500" data-testid="checkout-amount-label">
        {ts(`${state}.amount`)}
      </dt>
      <dd
        className={`text-lg font-semibold tabular-nums ${open ? "text-brand-600" : "text-stone-900"}`}
        data-testid="checkout-amount"
      >
        {formatFen(amountFen)}
      </dd>
      {children}
      <dt className="text-stone-500">{t("orderNo")}</dt>
      <dd className="font-mono text-xs break-all">{order.orderNo}</dd>
    </dl>
  );
}

/** The QR code on screen, for paying from a second device (or a desktop's only way). */
export function QrFigure({ src, alt, caption }: { src: string; alt: string; caption: string }) {
  return (
    <figure className="space-y-2">
      {/* eslint-disable-next-line @next/next/no-img-element -- a data URL drawn on the server */}
      <img
        src={src}
        alt={alt}
        width={240}
        height={240}
        className="mx-auto rounded-lg border border-stone-200"
        data-testid="checkout-qr"
      />
      <figcaption className="text-center text-sm text-balance text-stone-600">{caption}</figcaption>
    </figure>
  );
}
