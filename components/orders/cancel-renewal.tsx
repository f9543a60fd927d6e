"use client";

import { useTranslations } from "next-intl";
import { useActionState, useState } from "react";
import { Button } from "@/components/ui/button";
import { cancelRenewalAction } from "@/lib/subscriptions/actions";

/** "Cancel auto-renewal", behind a confirmation that says the paid time stays. */
export function CancelRenewal({ endsAt }: { endsAt: string }) {
  const t = useTranslations("membership.page");
  const [confirming, setConfirming] = useState(false);
  const [state, action, pending] = useActionState(cancelRenewalAction, {});
  return (
    <div className="space-y-2">
      {confirming ? (
        <form action={action} className="space-y-2 rounded-xl bg-amber-50 p-3">
          <input type="hidden" name="confirm" value="yes" />
          <p className="text-sm text-amber-900">{t("cancelConfirm", { date: endsAt })}</p>
          <div className="flex flex-wrap gap-2">
            <Button type="submit" disabled={pending} data-testid="cancel-confirm">
              {t("cancelYes")}
            </Button>
            <Button type="button" variant="secondary" onClick={() => setConfirming(false)}>
              {t("cancelNo")}
            </Button>
          </div>
        </form>
      ) : (
        <Button
          type="button"
          variant="secondary"
          onClick={() => setConfirming(true)}
          data-testid="cancel-renewal"
        >
          {t("cancel")}
        </Button>
      )}
      {state.error ? (
        <p role="alert" className="text-sm text-red-600">
          {t(`cancelError.${state.error}`)}
        </p>
      ) : null}
    </div>
  );
}
