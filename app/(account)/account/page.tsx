import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { Card } from "@/components/ui/card";
import { requireUser } from "@/lib/auth/guards";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("account"))("title") };
}

export default async function AccountPage() {
  const user = await requireUser();
  const t = await getTranslations("account");
  return (
    <div className="mx-auto max-w-2xl space-y-6">
      <h1 className="text-2xl font-bold">{t("title")}</h1>
      <Card>
        <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
          <dt className="text-stone-500">{t("email")}</dt>
          <dd className="break-all" data-testid="account-email">
            {user.email}
          </dd>
          <dt className="text-stone-500">{t("name")}</dt>
          <dd>{user.name ?? t("noName")}</dd>
          <dt className="text-stone-500">{t("role")}</dt>
          <dd>{t(`roles.${user.role}`)}</dd>
        </dl>
      </Card>
    </div>
  );
}
