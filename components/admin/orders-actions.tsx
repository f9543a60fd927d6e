"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState, type ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { formatFen } from "@/lib/money";
import { parseYuanAmount } from "@/lib/refunds/rules";
import { CodeLabel } from "./code-label";

/** What the order's page allows now (lib/admin/orders.ts `orderActions`), with the amounts. */
export interface OrderActionsProps {
  orderNo: string;
  acceptReview: boolean;
  recordRefund: boolean;
  markRefunded: boolean;
  /** Fen left to refund through Alipay (0: no refund possible now). */
  alipayRefundableFen: number;
  /** What the page shows as refunded of the paying trade (a stale page cannot refund twice). */
  refundedFen: number;
  /** The amount at stake in review / by-hand actions (what was received). */
  receivedFen: number;
  pendingRefundId: string | null;
  failedRefund: { id: string; amountFen: number; code: string | null } | null;
}

type Outcome =
  | { kind: "ok"; text: string }
  | { kind: "refused"; text: string; code: string | null }
  | { kind: "error"; text: string; fields: string[] };

type Dialog = "accept" | "recordRefund" | "refund" | "markRefunded" | null;

interface ErrorBody {
  error?: { code?: string; message?: string; fields?: Record<string, string[]> };
}

/**
 * The order's actions, each confirmed before it is sent: accept the payment or record a refund
 * (an order in review), refund through Alipay (full or partial, the amount shown in the
 * confirmation), mark a Youzan order refunded by hand (note required). Each posts JSON to
 * `/api/admin/orders/{orderNo}/…`, shows the result and reloads the page's data.
 */
export function OrderActions(props: OrderActionsProps) {
  const t = useTranslations("admin.orders.actions");
  const router = useRouter();
  const [dialog, setDialog] = useState<Dialog>(null);
  const [note, setNote] = useState("");
  const [amount, setAmount] = useState(
    props.alipayRefundableFen > 0 ? (props.alipayRefundableFen / 100).toFixed(2) : "",
  );
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const amountFen = parseYuanAmount(amount);

  async function send(path: string, body: unknown, done: (answer: unknown) => Outcome) {
    setBusy(true);
    setOutcome(null);
    try {
      const response = await fetch(`/api/admin/orders/${props.orderNo}/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const answer: unknown = await response.json().catch(() => ({}));
      if (response.ok) {
        setOutcome(done(answer));
        setDialog(null);
        setNote("");
        router.refresh();
      } else {
        setOutcome(errorOutcome(response.status, answer as ErrorBody));
      }
    } catch {
      setOutcome({ kind: "error", text: t("errors.failed"), fields: [] });
    } finally {
      setBusy(false);
    }
  }

  function errorOutcome(status: number, body: ErrorBody): Outcome {
    const fields = Object.values(body.error?.fields ?? {})
      .flat()
      .map((code) => {
        const key = `errors.fields.${code.replaceAll(".", "_")}`;
        return t.has(key) ? t(key) : code;
      });
    if (status === 401) return { kind: "error", text: t("errors.unauthorized"), fields: [] };
    if (status === 403) return { kind: "error", text: t("errors.forbidden"), fields: [] };
    if (status === 409) {
      return { kind: "error", text: t("errors.conflict"), fields: [body.error?.message ?? ""] };
    }
    if (status === 422) return { kind: "error", text: t("errors.invalid"), fields };
    return { kind: "error", text: t("errors.failed"), fields };
  }

  const refundDone = (answer: unknown): Outcome => {
    const a = answer as { status: string; amountFen: number; code: string | null };
    if (a.status === "succeeded") {
      return { kind: "ok", text: t("refund.succeeded", { amount: formatFen(a.amountFen) }) };
    }
    if (a.status === "pending") return { kind: "refused", text: t("refund.pending"), code: a.code };
    return { kind: "refused", text: t("refund.failed"), code: a.code };
  };

  const noteField = (required: boolean) => (
    <label className="block space-y-1 text-sm">
      <span className="font-medium text-stone-700">{required ? t("noteRequired") : t("note")}</span>
      <textarea
        value={note}
        maxLength={500}
        rows={2}
        required={required}
        onChange={(event) => setNote(event.target.value)}
        className="block w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-base"
        data-testid="order-action-note"
      />
    </label>
  );

  const confirmBox = (text: string, submit: string, onSubmit: () => void, disabled = false) => (
    <div
      className="space-y-3 rounded-xl border border-amber-300 bg-amber-50 p-3"
      role="alertdialog"
      data-testid="order-action-confirm"
    >
      <p className="text-sm font-medium">{text}</p>
      <div className="flex flex-wrap gap-2">
        <Button
          type="button"
          onClick={onSubmit}
          disabled={busy || disabled}
          data-testid="order-action-submit"
        >
          {busy ? t("working") : submit}
        </Button>
        <Button type="button" variant="secondary" onClick={() => setDialog(null)} disabled={busy}>
          {t("cancel")}
        </Button>
      </div>
    </div>
  );

  const section = (name: Exclude<Dialog, null>, body: ReactNode) => (
    <div
      key={name}
      className="space-y-2 rounded-2xl border border-stone-200 bg-white p-4"
      data-testid={`order-action-${name}`}
    >
      <h3 className="font-semibold">{t(`${name}.title`)}</h3>
      <p className="text-xs text-stone-500">{t(`${name}.hint`)}</p>
      {body}
    </div>
  );

  const received = formatFen(props.receivedFen);
  const blocks: ReactNode[] = [];
  if (props.acceptReview) {
    blocks.push(
      section(
        "accept",
        dialog === "accept" ? (
          <>
            {noteField(false)}
            {confirmBox(t("accept.confirm", { amount: received }), t("accept.submit"), () =>
              send("accept", { note: note.trim() || undefined, confirm: "accept" }, () => ({
                kind: "ok",
                text: t("accept.done"),
              })),
            )}
          </>
        ) : (
          <Button type="button" onClick={() => setDialog("accept")}>
            {t("accept.button")}
          </Button>
        ),
      ),
    );
  }
  if (props.recordRefund) {
    blocks.push(
      section(
        "recordRefund",
        dialog === "recordRefund" ? (
          <>
            {noteField(true)}
            {confirmBox(
              t("recordRefund.confirm", { amount: received }),
              t("recordRefund.submit"),
              () =>
                send("record-refund", { note, confirm: "refunded" }, () => ({
                  kind: "ok",
                  text: t("recordRefund.done"),
                })),
              note.trim() === "",
            )}
          </>
        ) : (
          <Button type="button" variant="secondary" onClick={() => setDialog("recordRefund")}>
            {t("recordRefund.button")}
          </Button>
        ),
      ),
    );
  }
  if (props.alipayRefundableFen > 0 || props.pendingRefundId || props.failedRefund) {
    const retryId = props.pendingRefundId ?? props.failedRefund?.id ?? null;
    blocks.push(
      section(
        "refund",
        <div className="space-y-3">
          {retryId ? (
            <div className="space-y-2">
              {props.failedRefund && !props.pendingRefundId ? (
                <p className="text-sm">
                  {t("refund.failed")}{" "}
                  <CodeLabel group="alipayCode" code={props.failedRefund.code} />
                </p>
              ) : null}
              <Button
                type="button"
                variant="secondary"
                disabled={busy}
                onClick={() => send("refund", { retryRefundId: retryId }, refundDone)}
                data-testid="order-refund-retry"
              >
                {props.pendingRefundId ? t("refund.retryPending") : t("refund.retry")}
              </Button>
            </div>
          ) : null}
          {props.alipayRefundableFen > 0 && !props.pendingRefundId ? (
            dialog === "refund" && amountFen !== null ? (
              <>
                {noteField(false)}
                {confirmBox(
                  t("refund.confirm", { amount: formatFen(amountFen) }),
                  t("refund.submit", { amount: formatFen(amountFen) }),
                  () =>
                    send(
                      "refund",
                      {
                        amount,
                        note: note.trim() || undefined,
                        expectedRefundedFen: props.refundedFen,
                        confirm: "refund",
                      },
                      refundDone,
                    ),
                )}
              </>
            ) : (
              <div className="flex flex-wrap items-end gap-3">
                <label className="block space-y-1 text-sm">
                  <span className="font-medium text-stone-700">{t("refund.amount")}</span>
                  <input
                    type="text"
                    inputMode="decimal"
                    value={amount}
                    onChange={(event) => setAmount(event.target.value)}
                    className="block w-32 rounded-lg border border-stone-300 bg-white px-3 py-2 text-base tabular-nums"
                    data-testid="order-refund-amount"
                  />
                  <span className="block text-xs text-stone-500">
                    {t("refund.max", { amount: formatFen(props.alipayRefundableFen) })}
                  </span>
                </label>
                <Button
                  type="button"
                  onClick={() => setDialog("refund")}
                  disabled={
                    amountFen === null || amountFen <= 0 || amountFen > props.alipayRefundableFen
                  }
                  data-testid="order-refund-open"
                >
                  {t("refund.button")}
                </Button>
              </div>
            )
          ) : null}
        </div>,
      ),
    );
  }
  if (props.markRefunded) {
    blocks.push(
      section(
        "markRefunded",
        dialog === "markRefunded" ? (
          <>
            {noteField(true)}
            {confirmBox(
              t("markRefunded.confirm", { amount: received }),
              t("markRefunded.submit"),
              () =>
                send("mark-refunded", { note, confirm: "refunded" }, () => ({
                  kind: "ok",
                  text: t("markRefunded.done"),
                })),
              note.trim() === "",
            )}
          </>
        ) : (
          <Button type="button" variant="secondary" onClick={() => setDialog("markRefunded")}>
            {t("markRefunded.button")}
          </Button>
        ),
      ),
    );
  }

  return (
    <section className="space-y-3" data-testid="order-actions">
      <h2 className="text-lg font-semibold">{t("title")}</h2>
      {outcome ? (
        <div
          role="status"
          data-testid="order-action-result"
          className={`rounded-xl p-3 text-sm ${
            outcome.kind === "ok" ? "bg-emerald-50 text-emerald-800" : "bg-red-50 text-red-800"
          }`}
        >
          <p>
            {outcome.text}{" "}
            {outcome.kind === "refused" && outcome.code ? (
              <CodeLabel group="alipayCode" code={outcome.code} />
            ) : null}
          </p>
          {outcome.kind === "error" && outcome.fields.length > 0 ? (
            <ul className="list-disc pl-5">
              {outcome.fields.map((text) => (
                <li key={text}>{text}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      {blocks.length > 0 ? (
        <div className="grid gap-3 md:grid-cols-2">{blocks}</div>
      ) : (
        <p className="text-sm text-stone-500">{t("none")}</p>
      )}
    </section>
  );
}
