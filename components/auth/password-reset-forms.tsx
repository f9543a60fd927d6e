"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import type { FieldErrors } from "@/lib/errors";
import { FORGOT_PASSWORD_PATH } from "./reset-paths";

/*
 * The password reset's two forms (issue #13). Their server actions live beside the pages
 * (app/(account)/forgot-password/actions.ts, reset-password/actions.ts) and are passed in.
 */

/** Why a reset link does not work (lib/auth/password-reset.ts `ResetRefusal`). */
export type ResetRefusal = "invalid" | "expired" | "used";

export interface ForgotFormState {
  /** The request was taken: the page says "if an account exists, we sent a link". */
  sent?: boolean;
  /** Key under `auth.errors`. */
  error?: "generic";
  /** Field → codes under `fieldErrors` (a malformed address). */
  fields?: FieldErrors;
  values?: { email?: string };
}

export interface ResetFormState {
  /** The link stopped working before the form was sent (used, revoked, expired meanwhile). */
  refused?: ResetRefusal;
  error?: "generic";
  fields?: FieldErrors;
}

type Action<S> = (state: S, form: FormData) => Promise<S>;

function useFieldErrors(fields: FieldErrors | undefined) {
  const t = useTranslations("fieldErrors");
  return (field: string) => fields?.[field]?.map((code) => t(code));
}

function GenericError({ shown }: { shown: boolean }) {
  const t = useTranslations("auth.errors");
  if (!shown) return null;
  return (
    <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700">
      {t("generic")}
    </p>
  );
}

function BackToSignIn() {
  const t = useTranslations("auth.reset");
  return (
    <p className="text-center text-sm">
      <Link href="/signin" className="text-brand-600 hover:underline">
        {t("backToSignIn")}
      </Link>
    </p>
  );
}

/**
 * Asks for a reset link. Whatever the address, once taken the page says the same thing: a link
 * was sent if an account exists.
 */
export function ForgotPasswordForm({
  action,
  email,
}: {
  action: Action<ForgotFormState>;
  email: string;
}) {
  const t = useTranslations("auth.reset.request");
  const auth = useTranslations("auth");
  const [state, formAction, pending] = useActionState(action, {});
  const errors = useFieldErrors(state.fields);
  if (state.sent) {
    return (
      <div className="space-y-4" data-testid="reset-requested">
        <div role="status" className="space-y-2 rounded-lg bg-emerald-50 px-3 py-3 text-sm">
          <p className="font-medium text-emerald-900">{t("sentTitle")}</p>
          <p className="break-words text-emerald-800">
            {t("sent", { email: state.values?.email ?? "" })}
          </p>
        </div>
        <p className="text-sm text-stone-600">{t("sentHint")}</p>
        <BackToSignIn />
      </div>
    );
  }
  return (
    <form action={formAction} className="space-y-4" noValidate data-testid="forgot-form">
      <p className="text-sm text-stone-600">{t("intro")}</p>
      <GenericError shown={state.error === "generic"} />
      <Field
        id="email"
        name="email"
        type="email"
        autoComplete="email"
        inputMode="email"
        required
        label={auth("email")}
        defaultValue={state.values?.email ?? email}
        errors={errors("email")}
      />
      <Button type="submit" disabled={pending} className="min-h-11 w-full">
        {pending ? t("pending") : t("submit")}
      </Button>
      <BackToSignIn />
    </form>
  );
}

/** Why the link does not work, and the way to a new one. */
export function ResetRefused({ reason }: { reason: ResetRefusal }) {
  const t = useTranslations("auth.reset.refused");
  return (
    <div className="space-y-4" data-testid="reset-refused" data-reason={reason}>
      <p role="alert" className="rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-900">
        {t(reason)}
      </p>
      <Link
        href={FORGOT_PASSWORD_PATH}
        className="flex min-h-11 w-full items-center justify-center rounded-lg bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700"
      >
        {t("askAgain")}
      </Link>
      <BackToSignIn />
    </div>
  );
}

/**
 * The new password, typed twice, for the account the link was sent to. Success redirects to
 * sign-in (the action); a link that stopped working meanwhile shows why.
 */
export function ResetPasswordForm({
  action,
  token,
  email,
}: {
  action: Action<ResetFormState>;
  token: string;
  email: string;
}) {
  const t = useTranslations("auth.reset.set");
  const auth = useTranslations("auth");
  const [state, formAction, pending] = useActionState(action, {});
  const errors = useFieldErrors(state.fields);
  if (state.refused) return <ResetRefused reason={state.refused} />;
  return (
    <form action={formAction} className="space-y-4" noValidate data-testid="reset-form">
      <p className="break-words text-sm text-stone-600">{t("intro", { email })}</p>
      <GenericError shown={state.error === "generic"} />
      <input type="hidden" name="token" value={token} />
      {/* Lets password managers file the new password under the right account. */}
      <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
      <Field
        id="new-password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        minLength={8}
        label={t("new")}
        hint={auth("passwordHint")}
        errors={errors("password")}
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
      <Button type="submit" disabled={pending} className="min-h-11 w-full">
        {pending ? t("pending") : t("submit")}
      </Button>
    </form>
  );
}
