import Link from "next/link";
import { getTranslations } from "next-intl/server";

function ChevronRight() {
  return (
    <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="size-5 shrink-0">
      <path
        fillRule="evenodd"
        d="M7.21 14.77a.75.75 0 0 1 .02-1.06L11.17 10 7.23 6.29a.75.75 0 1 1 1.04-1.08l4.5 4.25a.75.75 0 0 1 0 1.08l-4.5 4.25a.75.75 0 0 1-1.06-.02Z"
        clipRule="evenodd"
      />
    </svg>
  );
}

/** The account page's ways on: library, orders, membership and, for the owner, the admin area. */
export async function AccountLinks({ admin }: { admin: boolean }) {
  const t = await getTranslations("account");
  const links = [
    { href: "/account/library", title: t("links.library"), hint: t("links.libraryHint") },
    { href: "/account/orders", title: t("links.orders"), hint: t("links.ordersHint") },
    { href: "/account/membership", title: t("links.membership"), hint: t("links.membershipHint") },
    ...(admin ? [{ href: "/admin", title: t("links.admin"), hint: t("links.adminHint") }] : []),
  ];
  return (
    <nav
      aria-label={t("shortcuts")}
      className="divide-y divide-stone-100 overflow-hidden rounded-2xl border border-stone-200 bg-white shadow-sm"
    >
      {links.map((link) => (
        <Link
          key={link.href}
          href={link.href}
          className="flex min-h-14 items-center gap-3 px-5 py-3 hover:bg-stone-50"
        >
          <span className="min-w-0 flex-1">
            <span className="block font-medium text-stone-900">{link.title}</span>
            <span className="block text-sm text-stone-500">{link.hint}</span>
          </span>
          <span className="text-stone-400">
            <ChevronRight />
          </span>
        </Link>
      ))}
    </nav>
  );
}
