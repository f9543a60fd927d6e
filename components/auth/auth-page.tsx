import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { Card } from "@/components/ui/card";
import { getCurrentUser } from "@/lib/auth/guards";
import { safeCallbackPath } from "@/lib/auth/schemas";
import { SignInForm, SignUpForm } from "./auth-forms";

export type AuthPageKind = "signIn" | "signUp";

export interface AuthPageProps {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export async function authPageMetadata(kind: AuthPageKind): Promise<Metadata> {
  return { title: (await getTranslations(`auth.${kind}`))("title") };
}

/** Sign-in and sign-up: a signed-in visitor goes straight on to where they were headed. */
export async function AuthPage({ kind, searchParams }: AuthPageProps & { kind: AuthPageKind }) {
  const callbackUrl = safeCallbackPath((await searchParams).callbackUrl, "/account");
  if (await getCurrentUser()) redirect(callbackUrl);
  const t = await getTranslations(`auth.${kind}`);
  const Form = kind === "signIn" ? SignInForm : SignUpForm;
  return (
    <Card className="mx-auto max-w-sm">
      <h1 className="mb-4 text-xl font-bold">{t("title")}</h1>
      <Form callbackUrl={callbackUrl} />
    </Card>
  );
}
