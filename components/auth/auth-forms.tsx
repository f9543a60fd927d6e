"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { useActionState, useState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { signInAction, signUpAction, type AuthFormState } from "@/lib/auth/actions";
import { authPageHref } from "@/lib/auth/return-to";
import { forgotPasswordHref } from "./reset-paths";

function useFieldErrors(state: AuthFormState) {
  const t = useTranslations("fieldErrors");
  return (field: string) => state.fields?.[field]?.map((code) => t(code));
}

function FormError({ state }: { state: AuthFormState }) {
  const t = useTranslations("auth.errors");
  if (!state.error) return null;
  return (
    <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700">
      {t(state.error)}
    </p>
  );
}

/** `callbackUrl`: a same-site path to return to, or "" for the user's landing page. */
export function SignInForm({ callbackUrl }: { callbackUrl: string }) {
  const t = useTranslations("auth");
  const [state, action, pending] = useActionState(signInAction, {});
  const errors = useFieldErrors(state);
  // The address typed so far, carried to the forgot page by its link.
  const [email, setEmail] = useState(state.values?.email ?? "");
  return (
    <form action={action} className="space-y-4" noValidate>
      {callbackUrl ? <input type="hidden" name="callbackUrl" value={callbackUrl} /> : null}
      <FormError state={state} />
      <Field
        id="email"
        name="email"
        type="email"
        autoComplete="email"
        required
        label={t("email")}
        defaultValue={state.values?.email}
        onChange={(event) => setEmail(event.currentTarget.value)}
        errors={errors("email")}
      />
      <Field
        id="password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        label={t("password")}
        errors={errors("password")}
      />
      <p className="-mt-2 text-right text-sm">
        <Link
          href={forgotPasswordHref(email)}
          className="inline-block py-1 text-brand-600 hover:underline"
          data-testid="forgot-password-link"
        >
          {t("signIn.forgot")}
        </Link>
      </p>
      <Button type="submit" disabled={pending} className="w-full">
        {pending ? t("signIn.pending") : t("signIn.submit")}
      </Button>
      <p className="text-center text-sm text-stone-600">
        {t("signIn.noAccount")}{" "}
        <Link
          href={authPageHref("/signup", callbackUrl)}
          className="text-brand-600 hover:underline"
        >
          {t("signIn.signUpLink")}
        </Link>
      </p>
    </form>
  );
}

export function SignUpForm({ callbackUrl }: { callbackUrl: string }) {
  const t = useTranslations("auth");
  const [state, action, pending] = useActionState(signUpAction, {});
  const errors = useFieldErrors(state);
  return (
    <form action={action} className="space-y-4" noValidate>
      {callbackUrl ? <input type="hidden" name="callbackUrl" value={callbackUrl} /> : null}
      <FormError state={state} />
      <Field
        id="name"
        name="name"
        autoComplete="nickname"
        label={t("name")}
        defaultValue={state.values?.name}
        errors={errors("name")}
      />
      <Field
        id="email"
        name="email"
        type="email"
        autoComplete="email"
        required
        label={t("email")}
        defaultValue={state.values?.email}
        errors={errors("email")}
      />
      <Field
        id="password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        minLength={8}
        label={t("password")}
        hint={t("passwordHint")}
        errors={errors("password")}
      />
      <Button type="submit" disabled={pending} className="w-full">
        {pending ? t("signUp.pending") : t("signUp.submit")}
      </Button>
      <p className="text-center text-sm text-stone-600">
        {t("signUp.haveAccount")}{" "}
        <Link
          href={authPageHref("/signin", callbackUrl)}
          className="text-brand-600 hover:underline"
        >
          {t("signUp.signInLink")}
        </Link>
      </p>
    </form>
  );
}
