"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useEffect, useState } from "react";

interface Status {
  orderNo: string;
  status: string;
  paidAt: string | null;
}

const FINAL = new Set(["paid", "expired", "closed", "refunded", "review"]);

async function fetchStatus(orderNo: string): Promise<Status> {
  const response = await fetch(`/api/orders/${orderNo}/status`, { cache: "no-store" });
  if (!response.ok) throw new Error(`status ${response.status}`);
  return (await response.json()) as Status;
}

function remaining(expiresAt: string | null, now: number): string | null {
  if (!expiresAt) return null;
  const seconds = Math.max(0, Math.floor((new Date(expiresAt).getTime() - now) / 1000));
  return `${String(Math.floor(seconds / 60)).padStart(2, "0")}:${String(seconds % 60).padStart(2, "0")}`;
}

/**
 * Polls the order's status every two seconds until it is final, then re-renders the page on the
 * server (which shows the purchased content or the way to start again).
 */
export function CheckoutStatus({
  orderNo,
  expiresAt,
  waiting = "waiting",
}: {
  orderNo: string;
  expiresAt: string | null;
  /** What the buyer is waiting for: a payment (QR) or a signature and first charge (membership). */
  waiting?: "waiting" | "waitingSign";
}) {
  const t = useTranslations("checkout");
  const router = useRouter();
  const [now, setNow] = useState(() => Date.now());
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
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  const left = remaining(expiresAt, now);
  return (
    <div className="space-y-1 text-center text-sm" aria-live="polite" data-testid="checkout-status">
      <p className="font-medium text-stone-700">{t(waiting)}</p>
      {left !== null ? (
        <p className="text-stone-500">
          {left === "00:00" ? t("expiring") : `${t("expiresIn")} ${left}`}
        </p>
      ) : null}
      {query.isError ? <p className="text-amber-700">{t("pollError")}</p> : null}
    </div>
  );
}
