import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { getCurrentUser } from "@/lib/auth/guards";
import { AccountMenu } from "./account-menu";
import { LocaleSwitcher } from "./locale-switcher";

export async function SiteHeader() {
  const [t, user] = await Promise.all([getTranslations("nav"), getCurrentUser()]);
  return (
    <header className="border-b border-stone-200 bg-white">
      <div className="mx-auto flex w-full max-w-5xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3">
        <Link href="/" className="text-lg font-bold text-brand-600">
          {t("brand")}
        </Link>
        <nav aria-label={t("main")} className="hidden text-sm sm:block">
          <Link href="/" className="text-stone-700 hover:text-brand-600">
            {t("catalogue")}
          </Link>
        </nav>
        <div className="ml-auto flex items-center gap-2">
          <AccountMenu user={user} />
          <LocaleSwitcher />
        </div>
      </div>
    </header>
  );
}
