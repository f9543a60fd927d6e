"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { setRemindersAction, type RemindersState } from "./reminders-actions";

/**
 * "Renewal reminder emails: subscribed / unsubscribed" with the button that switches it (a
 * server action; the page re-renders with the new state). Receipts are never switchable here.
 */
export function RemindersToggle({ unsubscribed }: { unsubscribed: boolean }) {
  const t = useTranslations("account.reminders");
  const [state, action, pending] = useActionState<RemindersState, FormData>(setRemindersAction, {});
  return (
    <form action={action} className="space-y-3" data-testid="reminders-form">
      <h2 className="text-lg font-semibold">{t("title")}</h2>
      <p className="flex flex-wrap items-baseline gap-x-1 text-sm">
        <span className="text-stone-500">{t("label")}</span>
        <span
          className={unsubscribed ? "font-medium text-stone-700" : "font-medium text-emerald-700"}
          data-testid="reminders-status"
          data-unsubscribed={unsubscribed}
        >
          {unsubscribed ? t("unsubscribed") : t("subscribed")}
        </span>
      </p>
      <p className="text-sm text-stone-500">{t("hint")}</p>
      {state.error ? (
        <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700">
          {t("error")}
        </p>
      ) : null}
      <input type="hidden" name="subscribe" value={unsubscribed ? "1" : "0"} />
      <Button
        type="submit"
        variant="secondary"
        disabled={pending}
        className="min-h-11 w-full sm:w-auto"
        data-testid="reminders-toggle"
      >
        {pending ? t("pending") : unsubscribed ? t("resubscribe") : t("unsubscribe")}
      </Button>
    </form>
  );
}
