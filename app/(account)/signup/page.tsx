import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { SignUpForm } from "@/components/auth/auth-forms";
import { Card } from "@/components/ui/card";
import { getCurrentUser } from "@/lib/auth/guards";
import { safeCallbackPath } from "@/lib/auth/schemas";

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("auth.signUp"))("title") };
}

export default async function SignUpPage({ searchParams }: Props) {
  const callbackUrl = safeCallbackPath((await searchParams).callbackUrl, "/account");
  if (await getCurrentUser()) redirect(callbackUrl);
  const t = await getTranslations("auth.signUp");
  return (
    <Card className="mx-auto max-w-sm">
      <h1 className="mb-4 text-xl font-bold">{t("title")}</h1>
      <SignUpForm callbackUrl={callbackUrl} />
    </Card>
  );
}
