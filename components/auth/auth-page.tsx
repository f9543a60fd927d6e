import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { Card } from "@/components/ui/card";
import { getCurrentUser } from "@/lib/auth/guards";
import { landingPath } from "@/lib/auth/return-to";
import { safeCallbackPath } from "@/lib/auth/schemas";
import { SignInForm, SignUpForm } from "./auth-forms";
import { PASSWORD_RESET_PARAM } from "./reset-paths";

export type AuthPageKind = "signIn" | "signUp";

export interface AuthPageProps {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export async function authPageMetadata(kind: AuthPageKind): Promise<Metadata> {
  return { title: (await getTranslations(`auth.${kind}`))("title") };
}

/**
 * Sign-in and sign-up: a signed-in visitor goes straight on to where they were headed (the
 * callbackUrl, else their landing page). Without a callbackUrl the forms leave the choice to the
 * role, so the owner lands in the admin area.
 */
export async function AuthPage({ kind, searchParams }: AuthPageProps & { kind: AuthPageKind }) {
  const params = await searchParams;
  const callbackUrl = safeCallbackPath(params.callbackUrl, "");
  const user = await getCurrentUser();
  if (user) redirect(callbackUrl || landingPath(user.role));
  const t = await getTranslations(`auth.${kind}`);
  const Form = kind === "signIn" ? SignInForm : SignUpForm;
  // Reached from a password reset (the reset signed out every session): say it worked.
  const wasReset = kind === "signIn" && params[PASSWORD_RESET_PARAM] === "1";
  return (
    <Card className="mx-auto max-w-sm">
      <h1 className="mb-4 text-xl font-bold">{t("title")}</h1>
      {wasReset ? (
        <p
          role="status"
          data-testid="password-reset-done"
          className="mb-4 rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-800"
        >
          {(await getTranslations("auth.reset"))("done")}
        </p>
      ) : null}
      <Form callbackUrl={callbackUrl} />
    </Card>
  );
}
