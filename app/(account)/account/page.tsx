import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { AccountLinks } from "@/components/account/account-links";
import { NameForm, PasswordForm } from "@/components/account/account-forms";
import { RemindersToggle } from "@/components/account/reminders-toggle";
import { Card } from "@/components/ui/card";
import { getDb } from "@/db";
import { isUnsubscribed } from "@/db/queries/notice-settings";
import { requireUser } from "@/lib/auth/guards";
import { PASSWORD_CHANGED_PARAM, PASSWORD_SECTION_ID } from "@/lib/auth/return-to";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("account"))("title") };
}

export default async function AccountPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requireUser();
  const changed = (await searchParams)[PASSWORD_CHANGED_PARAM] === "1";
  const t = await getTranslations("account");
  const remindersOff = await isUnsubscribed(await getDb(), user.id, "reminders");
  return (
    <div className="mx-auto max-w-2xl space-y-6">
      <h1 className="text-2xl font-bold">{t("title")}</h1>
      <Card>
        <h2 className="mb-3 text-lg font-semibold">{t("profile")}</h2>
        <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-6 gap-y-2 text-sm">
          <dt className="text-stone-500">{t("email")}</dt>
          <dd className="break-all" data-testid="account-email">
            {user.email}
          </dd>
          <dt className="text-stone-500">{t("name")}</dt>
          <dd className="break-words" data-testid="account-name">
            {user.name ?? t("noName")}
          </dd>
          <dt className="text-stone-500">{t("role")}</dt>
          <dd>{t(`roles.${user.role}`)}</dd>
        </dl>
      </Card>
      <AccountLinks admin={user.role === "admin"} />
      <Card>
        <NameForm name={user.name} />
      </Card>
      <Card id={PASSWORD_SECTION_ID} className="scroll-mt-4">
        <PasswordForm email={user.email} changed={changed} />
      </Card>
      <Card id="reminders">
        <RemindersToggle unsubscribed={remindersOff} />
      </Card>
    </div>
  );
}
