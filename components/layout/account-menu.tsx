"use client";

import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import { useTranslations } from "next-intl";
import { Suspense, useEffect, useRef } from "react";
import { signOutAction } from "@/lib/auth/actions";
import { authPageHref, returnPathFor } from "@/lib/auth/return-to";

/** What the menu shows of the signed-in user (no id: this goes to the browser). */
export interface MenuUser {
  name: string | null;
  email: string;
  /** The credit balance when the buyer ever had credits (a ledger), else null: not shown. */
  credits?: number | null;
}

/** Tap targets are at least 44 px high on phones (Apple's and WCAG's minimum), denser above. */
const itemClass =
  "flex min-h-11 items-center rounded-lg px-3 text-sm text-stone-700 hover:bg-stone-100 sm:min-h-9";
const headerLinkClass =
  "inline-flex min-h-11 shrink-0 items-center rounded-lg px-2 text-sm text-stone-700 hover:bg-stone-100";

function AuthLinks({ returnTo }: { returnTo?: string }) {
  const t = useTranslations("nav");
  return (
    <div className="flex shrink-0 items-center gap-1">
      <Link href={authPageHref("/signin", returnTo)} className={headerLinkClass}>
        {t("signIn")}
      </Link>
      <Link
        href={authPageHref("/signup", returnTo)}
        className={`${headerLinkClass} font-medium text-brand-600`}
      >
        {t("signUp")}
      </Link>
    </div>
  );
}

/** Sign-in and sign-up come back to the page they were opened from (lib/auth/return-to.ts). */
function AuthLinksHere() {
  const pathname = usePathname();
  const search = useSearchParams().toString();
  return <AuthLinks returnTo={returnPathFor(pathname, search ? `?${search}` : "")} />;
}

function Chevron() {
  return (
    <svg
      aria-hidden="true"
      viewBox="0 0 20 20"
      fill="currentColor"
      className="size-4 shrink-0 text-stone-500 transition-transform group-open:rotate-180"
    >
      <path
        fillRule="evenodd"
        d="M5.23 7.21a.75.75 0 0 1 1.06.02L10 11.17l3.71-3.94a.75.75 0 1 1 1.08 1.04l-4.25 4.5a.75.75 0 0 1-1.08 0l-4.25-4.5a.75.75 0 0 1 .02-1.06Z"
        clipRule="evenodd"
      />
    </svg>
  );
}

/**
 * A `<details>` menu (it opens without JavaScript); with it, the menu also closes on a click
 * outside, on Escape and after navigating. A long name or email is cut to fit the header, with
 * the whole of it in the title and at the top of the opened menu.
 */
function SignedInMenu({ user }: { user: MenuUser }) {
  const t = useTranslations("nav");
  const ref = useRef<HTMLDetailsElement>(null);
  const pathname = usePathname();
  const label = user.name ?? user.email;
  const initial = (Array.from(label)[0] ?? "?").toUpperCase();

  useEffect(() => {
    if (ref.current) ref.current.open = false;
  }, [pathname]);

  useEffect(() => {
    const close = (event: Event) => {
      const menu = ref.current;
      if (!menu?.open) return;
      if (event instanceof KeyboardEvent) {
        if (event.key !== "Escape") return;
        menu.open = false;
        menu.querySelector("summary")?.focus();
      } else if (event.target instanceof Node && !menu.contains(event.target)) {
        menu.open = false;
      }
    };
    document.addEventListener("pointerdown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("pointerdown", close);
      document.removeEventListener("keydown", close);
    };
  }, []);

  return (
    <details ref={ref} className="group relative min-w-0" data-testid="account-menu">
      <summary
        title={label}
        className="flex min-h-11 min-w-0 cursor-pointer list-none items-center gap-1.5 rounded-lg px-1.5 text-sm text-stone-700 select-none hover:bg-stone-100 group-open:bg-stone-100 [&::-webkit-details-marker]:hidden"
      >
        <span
          aria-hidden="true"
          className="grid size-7 shrink-0 place-items-center rounded-full bg-brand-100 text-xs font-semibold text-brand-700"
        >
          {initial}
        </span>
        <span className="min-w-0 max-w-48 truncate" data-testid="account-menu-label">
          {label}
        </span>
        <Chevron />
      </summary>
      <nav
        aria-label={t("accountMenu")}
        className="absolute right-0 z-20 mt-1 flex w-64 max-w-[calc(100vw-2rem)] flex-col rounded-xl border border-stone-200 bg-white p-1 shadow-lg"
      >
        <div className="border-b border-stone-100 px-3 pt-2 pb-2.5" data-testid="account-menu-who">
          <p className="text-sm font-medium break-words text-stone-900">{label}</p>
          {user.name ? <p className="text-xs break-all text-stone-500">{user.email}</p> : null}
        </div>
        <Link href="/account" className={itemClass}>
          {t("account")}
        </Link>
        <Link href="/account/library" className={itemClass} data-testid="account-menu-library">
          {t("library")}
        </Link>
        <Link href="/account/orders" className={itemClass}>
          {t("orders")}
        </Link>
        <Link href="/account/membership" className={itemClass}>
          {t("membership")}
        </Link>
        {user.credits !== null && user.credits !== undefined ? (
          <Link
            href="/account/library#credits"
            className={`${itemClass} justify-between gap-2`}
            aria-label={t("creditsLabel", { balance: user.credits })}
            data-testid="account-menu-credits"
          >
            <span>{t("credits", { balance: user.credits })}</span>
          </Link>
        ) : null}
        <form action={signOutAction}>
          <button type="submit" className={`${itemClass} w-full text-left`}>
            {t("signOut")}
          </button>
        </form>
      </nav>
    </details>
  );
}

/** Anonymous: sign in / sign up. Signed in: a menu with the account pages and sign out. */
export function AccountMenu({ user }: { user: MenuUser | null }) {
  if (user) return <SignedInMenu user={user} />;
  return (
    <Suspense fallback={<AuthLinks />}>
      <AuthLinksHere />
    </Suspense>
  );
}
