import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { signOutAction } from "@/lib/auth/actions";
import type { CurrentUser } from "@/lib/auth/guards";

const linkClass = "rounded-lg px-2 py-1 text-sm text-stone-700 hover:bg-stone-100";

/** Anonymous: sign in / sign up. Signed in: a menu with account, admin (owners) and sign out. */
export async function AccountMenu({ user }: { user: CurrentUser | null }) {
  const t = await getTranslations("nav");
  if (!user) {
    return (
      <div className="flex items-center gap-1">
        <Link href="/signin" className={linkClass}>
          {t("signIn")}
        </Link>
        <Link href="/signup" className={`${linkClass} font-medium text-brand-600`}>
          {t("signUp")}
        </Link>
      </div>
    );
  }
  return (
    <details className="relative" data-testid="account-menu">
      <summary className={`${linkClass} max-w-[11rem] cursor-pointer list-none truncate`}>
        {user.name ?? user.email}
      </summary>
      <div className="absolute right-0 z-10 mt-1 flex w-44 flex-col rounded-xl border border-stone-200 bg-white p-1 shadow-lg">
        <Link href="/account" className={linkClass}>
          {t("account")}
        </Link>
        <Link href="/account/orders" className={linkClass}>
          {t("orders")}
        </Link>
        <Link href="/account/membership" className={linkClass}>
          {t("membership")}
        </Link>
        {user.role === "admin" ? (
          <Link href="/admin" className={linkClass}>
            {t("admin")}
          </Link>
        ) : null}
        <form action={signOutAction}>
          <button type="submit" className={`${linkClass} w-full text-left`}>
            {t("signOut")}
          </button>
        </form>
      </div>
    </details>
  );
}
