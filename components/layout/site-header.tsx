import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { getDb } from "@/db";
import { getCurrentUser } from "@/lib/auth/guards";
import { headerCredits } from "@/lib/credits/ledger";
import { AccountMenu } from "./account-menu";
import { LocaleSwitcher } from "./locale-switcher";

/**
 * One row at every width: on a phone the name in the account menu is what gives way (cut with
 * an ellipsis), never the brand, the owner's way into the admin area or the language switch.
 */
export async function SiteHeader() {
  const [t, user] = await Promise.all([getTranslations("nav"), getCurrentUser()]);
  // The buyer's credits in the account menu once they ever had some (issue #12).
  const credits = user ? await headerCredits(await getDb(), user.id) : null;
  return (
    <header className="border-b border-stone-200 bg-white" data-testid="site-header">
      <div className="mx-auto flex w-full max-w-5xl items-center gap-2 px-4 py-1.5 sm:gap-4 sm:py-2">
        <Link href="/" className="shrink-0 text-lg font-bold text-brand-600">
          {t("brand")}
        </Link>
        <nav aria-label={t("main")} className="hidden shrink-0 text-sm sm:block">
          <Link href="/" className="text-stone-700 hover:text-brand-600">
            {t("catalogue")}
          </Link>
        </nav>
        <div className="ml-auto flex min-w-0 items-center gap-1 sm:gap-2">
          {user?.role === "admin" ? (
            // The tap target is 44 px high; the pill inside is what shows.
            <Link
              href="/admin"
              className="group inline-flex min-h-11 shrink-0 items-center"
              data-testid="header-admin"
            >
              <span className="rounded-md bg-stone-900 px-2.5 py-1 text-sm font-medium text-white group-hover:bg-stone-700">
                {t("admin")}
              </span>
            </Link>
          ) : null}
          <AccountMenu user={user ? { name: user.name, email: user.email, credits } : null} />
          <div className="shrink-0">
            <LocaleSwitcher />
          </div>
        </div>
      </div>
    </header>
  );
}
