"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState } from "react";
import type { ActionResult } from "@/lib/admin/subscriptions";
import { CodeLabel } from "./code-label";

type Action = "retry" | "postpone" | "refresh" | "unsign";

async function post(agreementId: string, action: Action): Promise<ActionResult> {
  const response = await fetch(`/api/admin/subscriptions/${agreementId}/${action}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(action === "unsign" ? { confirm: "unsign" } : {}),
  });
  const body = (await response.json().catch(() => null)) as
    ActionResult | { error?: { message?: string } } | null;
  if (!response.ok || !body || !("status" in body)) {
    const message = body && "error" in body ? body.error?.message : undefined;
    throw new Error(message ?? `HTTP ${response.status}`);
  }
  return body;
}

/**
 * The subscription's actions (POST /api/admin/subscriptions/{id}/{action}): retry now, postpone
 * one period, refresh from Alipay, unsign after a confirmation. The answer is shown in words
 * with its code; the page then reloads its data (the timeline and the log show the new rows).
 */
export function SubscriptionActions({
  agreementId,
  active,
  buyerEmail,
}: {
  agreementId: string;
  active: boolean;
  buyerEmail: string;
}) {
  const t = useTranslations("admin.subscriptions.detail");
  const tOutcome = useTranslations("admin.codes.subscriptionOutcome");
  const tRefusal = useTranslations("admin.codes.refusal");
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const mutation = useMutation({
    mutationFn: (action: Action) => post(agreementId, action),
    onSettled: () => {
      setConfirming(false);
      router.refresh();
    },
  });
  const busy = mutation.isPending;
  const button =
    "rounded-lg border border-stone-300 bg-white px-3 py-2 text-left text-sm hover:bg-stone-50 disabled:opacity-60";
  const describe = (result: ActionResult) =>
    result.status === "done"
      ? t("result.done", {
          outcome: tOutcome.has(result.outcome) ? tOutcome(result.outcome) : result.outcome,
        })
      : t("result.refused", {
          reason: tRefusal.has(result.reason) ? tRefusal(result.reason) : result.reason,
        });
  return (
    <section
      className="space-y-3 rounded-2xl border border-stone-200 bg-white p-4"
      data-testid="subscription-actions"
    >
      <h2 className="font-semibold">{t("actions.title")}</h2>
      {!active ? <p className="text-sm text-stone-600">{t("actions.inactive")}</p> : null}
      <div className="grid gap-2 sm:grid-cols-2">
        {active ? (
          <>
            <button
              type="button"
              className={button}
              disabled={busy}
              onClick={() => mutation.mutate("retry")}
              data-testid="action-retry"
            >
              <span className="block font-medium">{t("actions.retry")}</span>
              <span className="block text-xs text-stone-500">{t("actions.retryHint")}</span>
            </button>
            <button
              type="button"
              className={button}
              disabled={busy}
              onClick={() => mutation.mutate("postpone")}
              data-testid="action-postpone"
            >
              <span className="block font-medium">{t("actions.postpone")}</span>
              <span className="block text-xs text-stone-500">{t("actions.postponeHint")}</span>
            </button>
          </>
        ) : null}
        <button
          type="button"
          className={button}
          disabled={busy}
          onClick={() => mutation.mutate("refresh")}
          data-testid="action-refresh"
        >
          <span className="block font-medium">{t("actions.refresh")}</span>
          <span className="block text-xs text-stone-500">{t("actions.refreshHint")}</span>
        </button>
        {active ? (
          <button
            type="button"
            className={`${button} border-red-200 text-red-800`}
            disabled={busy}
            onClick={() => setConfirming(true)}
            data-testid="action-unsign"
          >
            <span className="block font-medium">{t("actions.unsign")}</span>
            <span className="block text-xs text-stone-500">{t("actions.unsignHint")}</span>
          </button>
        ) : null}
      </div>
      {confirming ? (
        <div
          role="alertdialog"
          aria-label={t("actions.unsign")}
          className="space-y-2 rounded-lg border border-red-300 bg-red-50 p-3 text-sm"
          data-testid="unsign-confirm"
        >
          <p>{t("actions.unsignConfirm", { email: buyerEmail })}</p>
          <div className="flex gap-2">
            <button
              type="button"
              className="rounded bg-red-700 px-3 py-1.5 text-white disabled:opacity-60"
              disabled={busy}
              onClick={() => mutation.mutate("unsign")}
              data-testid="unsign-yes"
            >
              {t("actions.unsignYes")}
            </button>
            <button
              type="button"
              className="rounded border border-stone-300 px-3 py-1.5"
              onClick={() => setConfirming(false)}
            >
              {t("actions.cancel")}
            </button>
          </div>
        </div>
      ) : null}
      <div aria-live="polite" className="text-sm">
        {busy ? <p>{t("actions.working")}</p> : null}
        {mutation.isError ? (
          <p role="alert" className="text-red-700">
            {t("actions.failed", { message: mutation.error.message })}
          </p>
        ) : null}
        {mutation.data ? (
          <div
            className="space-y-1 rounded-lg bg-stone-100 p-3"
            data-testid="action-result"
            data-status={mutation.data.status}
            data-outcome={
              mutation.data.status === "done" ? mutation.data.outcome : mutation.data.reason
            }
          >
            <p className="font-medium">{describe(mutation.data)}</p>
            {mutation.data.code ? <CodeLabel group="alipayCode" code={mutation.data.code} /> : null}
            {mutation.data.message ? (
              <p className="text-xs break-all text-stone-600">{mutation.data.message}</p>
            ) : null}
          </div>
        ) : null}
      </div>
    </section>
  );
}
