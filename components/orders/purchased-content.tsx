import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { CREDITS_HREF } from "@/components/credits/credit-balance-panel";
import { buttonClass } from "@/components/ui/button";
import type { Order, Product } from "@/db/schema";
import { pick, toLocale } from "@/i18n/locales";

/**
 * What a paid order unlocked: the credits it added, or the owner's note for the product, and
 * the way to the library, where the files, lessons and members' area are (checked there at
 * every request, so a refund takes them away).
 */
export async function PurchasedContent({ order, product }: { order: Order; product: Product }) {
  if (order.status !== "paid") return null;
  const [t, tLibrary, locale] = await Promise.all([
    getTranslations("checkout"),
    getTranslations("purchased"),
    getLocale().then(toLocale),
  ]);
  const content =
    product.kind === "credit_pack" && product.credits
      ? t("credits", { count: product.credits })
      : pick(locale, product.contentZh, product.contentEn);
  return (
    <div
      className="space-y-2 rounded-xl bg-emerald-50 p-4 text-sm text-emerald-900"
      data-testid="purchased-content"
    >
      <p className="font-medium">{t("content")}</p>
      <p className="break-words">{content ?? tLibrary("libraryHint")}</p>
      <Link
        href={product.kind === "credit_pack" ? CREDITS_HREF : "/account/library"}
        className={buttonClass("primary", "text-xs")}
        data-testid="open-library"
      >
        {tLibrary("openLibrary")}
      </Link>
    </div>
  );
}
