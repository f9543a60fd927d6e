import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { Card } from "@/components/ui/card";
import { getCurrentUser } from "@/lib/auth/guards";
import { landingPath } from "@/lib/auth/return-to";
import { safeCallbackPath } from "@/lib/auth/schemas";
import { SignInForm, SignUpForm } from "./auth-forms";

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
  const callbackUrl = safeCallbackPath((await searchParams).callbackUrl, "");
  const user = await getCurrentUser();
  if (user) redirect(callbackUrl || landingPath(user.role));
  const t = await getTranslations(`auth.${kind}`);
  const Form = kind === "signIn" ? SignInForm : SignUpForm;
  return (
    <Card className="mx-auto max-w-sm">
      <h1 className="mb-4 text-xl font-bold">{t("title")}</h1>
      <Form callbackUrl={callbackUrl} />
    </Card>
  );
}
