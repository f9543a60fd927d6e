import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { Card } from "@/components/ui/card";
import { getDb } from "@/db";
import { checkResetToken } from "@/lib/auth/password-reset";
import { now } from "@/lib/now";
import {
  ForgotPasswordForm,
  ResetPasswordForm,
  ResetRefused,
  type ForgotFormState,
  type ResetFormState,
} from "./password-reset-forms";
import { prefilledEmail } from "./reset-paths";

/*
 * The password reset's pages (issue #13): /forgot-password asks for a link, /reset-password
 * (the link) sets the new password. The server actions come from the routes (app/(account)/…).
 */

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export async function forgotPasswordMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("auth.reset.request"))("title") };
}

/**
 * The link carries the token in its query: requests made from the page must not send it on in a
 * Referer (the shop's header policy, proxy.ts, sends the full URL to its own origin). The page's
 * `<meta name="referrer">` lowers that to the bare origin for everything the page requests,
 * follows or posts. Not `no-referrer`: under it a browser sends `Origin: null` with a plain form
 * post (before hydration, or without JavaScript), which Next's server-action CSRF check refuses.
 */
export async function resetPasswordMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("auth.reset.set"))("title"), referrer: "strict-origin" };
}

function Frame({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Card className="mx-auto max-w-sm">
      <h1 className="mb-4 text-xl font-bold">{title}</h1>
      {children}
    </Card>
  );
}

/** Filled in with the address typed on the sign-in form (`?email=`), when there was one. */
export async function ForgotPasswordPage({
  searchParams,
  action,
}: {
  searchParams: SearchParams;
  action: (state: ForgotFormState, form: FormData) => Promise<ForgotFormState>;
}) {
  const email = prefilledEmail((await searchParams).email);
  const t = await getTranslations("auth.reset.request");
  return (
    <Frame title={t("title")}>
      <ForgotPasswordForm action={action} email={email} />
    </Frame>
  );
}

/**
 * Checks the link's token first (reading only: a mail scanner opening the link uses nothing up)
 * and shows the form, or why the link does not work.
 */
export async function ResetPasswordPage({
  searchParams,
  action,
}: {
  searchParams: SearchParams;
  action: (state: ResetFormState, form: FormData) => Promise<ResetFormState>;
}) {
  const given = (await searchParams).token;
  const token = typeof given === "string" ? given : "";
  const check = await checkResetToken({ db: await getDb(), now }, token);
  const t = await getTranslations("auth.reset");
  return (
    <Frame title={check.ok ? t("set.title") : t("refused.title")}>
      {check.ok ? (
        <ResetPasswordForm action={action} token={token} email={check.email} />
      ) : (
        <ResetRefused reason={check.reason} />
      )}
    </Frame>
  );
}
