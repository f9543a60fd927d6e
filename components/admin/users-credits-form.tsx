"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { Field, TextAreaField } from "@/components/ui/field";
import { recordCreditUseAction } from "@/lib/admin/users-credits-actions";
import type { CreditUseFormState } from "@/lib/admin/users-credits-form-state";
import { USE_AMOUNT_MAX, USE_NOTE_MAX } from "@/lib/credits/input";

/**
 * "Record a use" on the user's admin page: amount (1 by default), a note the buyer will read,
 * and the one-time key of this rendering of the form (a new one after each recorded use, when
 * the page is rendered again), so a double submit records one use. The server refuses a
 * balance too low; the refusal, with the balance, shows here and what was typed stays.
 */
export function UserCreditsForm({ userId, requestKey }: { userId: string; requestKey: string }) {
  const t = useTranslations("admin.credits");
  const [state, action, pending] = useActionState<CreditUseFormState, FormData>(
    recordCreditUseAction,
    {},
  );
  const fieldError = (code: string | undefined) =>
    code ? [t(`fieldErrors.${code.replace(/^credits\./, "")}`)] : undefined;
  return (
    <form
      // Re-mounted after every answer: the fields start from what the answer gives back.
      key={state.seq ?? 0}
      action={action}
      className="space-y-3 rounded-xl border border-stone-200 bg-white p-4"
      data-testid="user-credits-form"
    >
      <h3 className="font-medium">{t("formTitle")}</h3>
      <p className="text-xs text-stone-500">{t("formHint")}</p>
      <input type="hidden" name="userId" value={userId} />
      <input type="hidden" name="requestKey" value={requestKey} />
      <Field
        id="credit-use-amount"
        name="amount"
        type="number"
        inputMode="numeric"
        min={1}
        max={USE_AMOUNT_MAX}
        step={1}
        defaultValue={state.values?.amount ?? "1"}
        label={t("amountLabel")}
        hint={t("amountHint")}
        errors={fieldError(state.fields?.amount)}
      />
      <TextAreaField
        id="credit-use-note"
        name="note"
        required
        maxLength={USE_NOTE_MAX}
        defaultValue={state.values?.note ?? ""}
        label={t("noteLabel")}
        hint={t("noteHint")}
        errors={fieldError(state.fields?.note)}
      />
      <Button type="submit" disabled={pending} data-testid="user-credits-submit">
        {pending ? t("pending") : t("submit")}
      </Button>
      {state.error ? (
        <p role="alert" className="text-sm text-red-600" data-testid="user-credits-error">
          {t(`errors.${state.error}`, { balance: state.balance ?? 0 })}
        </p>
      ) : state.done ? (
        <p role="status" className="text-sm text-emerald-700" data-testid="user-credits-done">
          {t(state.done, { balance: state.balance ?? 0 })}
        </p>
      ) : null}
    </form>
  );
}
