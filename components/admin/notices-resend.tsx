"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState } from "react";
import type { NoticeStatus } from "@/db/schema/notices";
import type { ResendAnswer, ResendRefusal } from "@/lib/admin/notices-types";
import { Button } from "@/components/ui/button";

type Outcome = { kind: "done"; before: NoticeStatus } | { kind: "error"; key: string };

interface ErrorBody {
  error?: { code?: string; fields?: Record<string, string[]> };
}

/**
 * "Send again" on a notice's page: asks for confirmation (naming the recipient), then posts to
 * `POST /api/admin/notices/{id}/resend` with the status the page showed, shows the result and
 * reloads the page's data. Stays mounted across the reload, so the result stays shown.
 */
export function NoticeResend({
  id,
  status,
  recipient,
  refusal,
}: {
  id: string;
  status: NoticeStatus;
  recipient: string;
  refusal: ResendRefusal;
}) {
  const t = useTranslations("admin.notices.resend");
  const tStatus = useTranslations("admin.codes.noticeStatus");
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  async function send() {
    setBusy(true);
    setOutcome(null);
    try {
      const response = await fetch(`/api/admin/notices/${encodeURIComponent(id)}/resend`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ confirm: "resend", expectedStatus: status }),
      });
      const answer: unknown = await response.json().catch(() => ({}));
      if (response.ok) {
        setOutcome({ kind: "done", before: (answer as ResendAnswer).before.status });
        router.refresh();
      } else {
        setOutcome({ kind: "error", key: errorKey(response.status, answer as ErrorBody) });
      }
    } catch {
      setOutcome({ kind: "error", key: "failed" });
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  }

  return (
    <div className="space-y-3" data-testid="notice-resend">
      {outcome?.kind === "done" ? (
        <p
          role="status"
          className="rounded-xl bg-emerald-50 p-3 text-sm text-emerald-800"
          data-testid="notice-resend-done"
        >
          {t("done", { before: tStatus(outcome.before) })}
        </p>
      ) : null}
      {outcome?.kind === "error" ? (
        <p
          role="alert"
          className="rounded-xl bg-red-50 p-3 text-sm text-red-800"
          data-testid="notice-resend-error"
        >
          {t(`errors.${outcome.key}`)}
        </p>
      ) : null}
      {refusal ? (
        outcome?.kind === "done" ? null : (
          <p className="text-sm text-stone-600" data-testid="notice-resend-unavailable">
            {t(`notAvailable.${refusal}`)}
          </p>
        )
      ) : confirming ? (
        <div
          role="alertdialog"
          className="space-y-3 rounded-xl border border-amber-300 bg-amber-50 p-3"
          data-testid="notice-resend-confirm"
        >
          <p className="text-sm font-medium break-all">{t("confirm", { recipient })}</p>
          <div className="flex flex-wrap gap-2">
            <Button
              type="button"
              onClick={() => void send()}
              disabled={busy}
              data-testid="notice-resend-submit"
            >
              {busy ? t("working") : t("submit")}
            </Button>
            <Button
              type="button"
              variant="secondary"
              onClick={() => setConfirming(false)}
              disabled={busy}
            >
              {t("cancel")}
            </Button>
          </div>
        </div>
      ) : (
        <>
          <p className="text-sm text-stone-600">{t("hint")}</p>
          <Button
            type="button"
            onClick={() => setConfirming(true)}
            data-testid="notice-resend-button"
          >
            {t("button")}
          </Button>
        </>
      )}
    </div>
  );
}

function errorKey(status: number, body: ErrorBody): string {
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  const reason = body.error?.fields?.notice?.[0];
  if (reason === "notice.password_reset") return "password_reset";
  if (status === 409) return "changed";
  return "failed";
}
