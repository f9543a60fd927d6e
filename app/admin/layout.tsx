import Link from "next/link";
import { NextIntlClientProvider } from "next-intl";
import { getMessages, getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { ADMIN_CLIENT_NAMESPACES, pickNamespaces } from "@/i18n/client-messages";
import { requireAdmin } from "@/lib/auth/guards";

/** The admin's sections in the order of the menu (each at `/admin/<section>`). */
const ADMIN_SECTIONS = [
  "subscriptions",
  "deductions",
  "orders",
  "webhooks",
  "notices",
  "runs",
  "billing",
  "products",
  "members",
  "users",
  "audit",
] as const;

/** The role is checked here and again in every admin page, action and route. */
export default async function AdminLayout({ children }: { children: ReactNode }) {
  await requireAdmin();
  const [t, messages] = await Promise.all([getTranslations("admin"), getMessages()]);
  return (
    <div className="space-y-6" data-testid="admin-shell">
      <div className="flex flex-wrap items-center gap-4 border-b border-stone-200 pb-3">
        <span className="font-semibold">{t("title")}</span>
        <nav className="-mx-1 flex gap-3 overflow-x-auto px-1 text-sm whitespace-nowrap">
          <Link href="/admin" className="text-stone-700 hover:text-brand-600">
            {t("nav.dashboard")}
          </Link>
          {ADMIN_SECTIONS.map((section) => (
            <Link
              key={section}
              href={`/admin/${section}`}
              className="text-stone-700 hover:text-brand-600"
            >
              {t(`nav.${section}`)}
            </Link>
          ))}
        </nav>
      </div>
      {/* The admin's client components translate under `admin` too (the shop's pages never
          receive those messages). */}
      <NextIntlClientProvider messages={pickNamespaces(messages, ADMIN_CLIENT_NAMESPACES)}>
        {children}
      </NextIntlClientProvider>
    </div>
  );
}
