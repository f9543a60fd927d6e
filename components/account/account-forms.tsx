"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import {
  changeNameAction,
  changePasswordAction,
  type AccountFormState,
} from "@/lib/auth/account-actions";

function useFieldErrors(state: AccountFormState) {
  const t = useTranslations("fieldErrors");
  return (field: string) => state.fields?.[field]?.map((code) => t(code));
}

/** The form's outcome: a refusal (role alert) or its success line (role status). */
function Outcome({ state, success }: { state: AccountFormState; success: string }) {
  const t = useTranslations("account.errors");
  if (state.error) {
    return (
      <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700">
        {state.error === "rate_limited"
          ? t("rate_limited", { seconds: state.retryAfterSeconds ?? 60 })
          : t("generic")}
      </p>
    );
  }
  if (!state.ok) return null;
  return (
    <p role="status" className="rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
      {success}
    </p>
  );
}

export function NameForm({ name }: { name: string | null }) {
  const t = useTranslations("account.nameForm");
  const [state, action, pending] = useActionState(changeNameAction, {});
  const errors = useFieldErrors(state);
  return (
    <form action={action} className="space-y-4" noValidate data-testid="name-form">
      <h2 className="text-lg font-semibold">{t("title")}</h2>
      <Outcome state={state} success={t("saved")} />
      <Field
        id="account-name"
        name="name"
        autoComplete="nickname"
        maxLength={50}
        label={t("label")}
        hint={t("hint")}
        defaultValue={state.values?.name ?? name ?? ""}
        errors={errors("name")}
      />
      <Button type="submit" disabled={pending} className="min-h-11 w-full sm:w-auto">
        {pending ? t("pending") : t("submit")}
      </Button>
    </form>
  );
}

/**
 * `changed`: the page was reached by a successful change (the action redirects there, so the
 * renewed session shows); the success line stays until the form is used again.
 */
export function PasswordForm({ email, changed }: { email: string; changed: boolean }) {
  const t = useTranslations("account.passwordForm");
  const [state, action, pending] = useActionState(changePasswordAction, {});
  const errors = useFieldErrors(state);
  const used = Boolean(state.error || state.fields);
  return (
    <form action={action} className="space-y-4" noValidate data-testid="password-form">
      <h2 className="text-lg font-semibold">{t("title")}</h2>
      <Outcome state={{ ...state, ok: changed && !used }} success={t("changed")} />
      {/* Lets password managers file the new password under the right account. */}
      <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
      <Field
        id="current-password"
        name="currentPassword"
        type="password"
        autoComplete="current-password"
        required
        label={t("current")}
        errors={errors("currentPassword")}
      />
      <Field
        id="new-password"
        name="newPassword"
        type="password"
        autoComplete="new-password"
        required
        minLength={8}
        label={t("new")}
        hint={t("hint")}
        errors={errors("newPassword")}
      />
      <Field
        id="confirm-password"
        name="confirmPassword"
        type="password"
        autoComplete="new-password"
        required
        label={t("confirm")}
        errors={errors("confirmPassword")}
      />
      <Button type="submit" disabled={pending} className="min-h-11 w-full sm:w-auto">
        {pending ? t("pending") : t("submit")}
      </Button>
    </form>
  );
}
