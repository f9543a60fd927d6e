"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useEffect, useState } from "react";
import { clockOffset, formatCountdown, secondsLeft, shopNow } from "@/lib/orders/countdown";
import type { PublicStatus } from "@/lib/orders/view";

type Status = PublicStatus & {
  /** The shop's clock minus the browser's, measured when this answer arrived. */
  offsetMs: number;
};

const FINAL = new Set(["paid", "expired", "closed", "refunded", "review"]);

async function fetchStatus(orderNo: string): Promise<Status> {
  const response = await fetch(`/api/orders/${orderNo}/status`, { cache: "no-store" });
  const receivedAt = Date.now();
  if (!response.ok) throw new Error(`status ${response.status}`);
  const body = (await response.json()) as PublicStatus;
  return { ...body, offsetMs: clockOffset(Date.parse(body.serverNow), receivedAt) };
}

/** The browser's clock once a second, and the offset the page's own server now implies. */
interface Tick {
  browserNow: number;
  pageOffsetMs: number;
}

/**
 * Polls the order's status every two seconds until it is final, then re-renders the page on the
 * server (which shows the purchased content or the way to start again).
 *
 * The countdown counts with the shop's clock: the page brings the server's now, every status
 * answer brings it again, and the browser only measures the time since. The first render (on the
 * server, and the hydrating one in the browser) shows the time left at the page's server now, so
 * both render the same text.
 */
export function CheckoutStatus({
  orderNo,
  expiresAt,
  serverNow,
  waiting = "waiting",
}: {
  orderNo: string;
  expiresAt: string | null;
  /** The shop's now when the page was rendered (ISO). */
  serverNow: string;
  /** What the buyer is waiting for: a payment (QR) or a signature and first charge (membership). */
  waiting?: "waiting" | "waitingSign";
}) {
  const t = useTranslations("checkout");
  const router = useRouter();
  const pageNowMs = Date.parse(serverNow);
  const [tick, setTick] = useState<Tick | null>(null);
  const query = useQuery({
    queryKey: ["order-status", orderNo],
    queryFn: () => fetchStatus(orderNo),
    refetchInterval: (q) => (q.state.data && FINAL.has(q.state.data.status) ? false : 2000),
    refetchIntervalInBackground: true,
  });
  const status = query.data?.status;

  useEffect(() => {
    if (status && FINAL.has(status)) router.refresh();
  }, [status, router]);

  useEffect(() => {
    if (!expiresAt) return;
    // Until a status answer arrives, the page's own server now is the best estimate (it is a
    // little early: the page took some time to arrive and hydrate).
    const pageOffsetMs = pageNowMs - Date.now();
    const timer = setInterval(() => setTick({ browserNow: Date.now(), pageOffsetMs }), 1000);
    return () => clearInterval(timer);
  }, [expiresAt, pageNowMs]);

  let left: number | null = null;
  if (expiresAt) {
    const expiresAtMs = Date.parse(query.data?.expiresAt ?? expiresAt);
    left = tick
      ? secondsLeft(
          expiresAtMs,
          shopNow(tick.browserNow, query.data?.offsetMs ?? tick.pageOffsetMs),
        )
      : secondsLeft(expiresAtMs, pageNowMs);
  }
  return (
    // Only the status line is live: a region holding the countdown would be read every second.
    <div className="space-y-1 text-center text-sm" data-testid="checkout-status">
      <p className="font-medium text-stone-700" aria-live="polite">
        {t(waiting)}
      </p>
      {left !== null ? (
        <p
          className="text-stone-500 tabular-nums"
          data-testid="checkout-countdown"
          data-seconds-left={left}
        >
          {left === 0 ? t("expiring") : `${t("expiresIn")} ${formatCountdown(left)}`}
        </p>
      ) : null}
      {query.isError ? (
        <p className="text-amber-700" role="status">
          {t("pollError")}
        </p>
      ) : null}
    </div>
  );
}
