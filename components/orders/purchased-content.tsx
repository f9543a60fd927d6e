import { getLocale, getTranslations } from "next-intl/server";
import type { Order, Product } from "@/db/schema";
import { pick, toLocale } from "@/i18n/locales";

/** What a paid order unlocked: the product's content, or the credits it added. */
export async function PurchasedContent({ order, product }: { order: Order; product: Product }) {
  if (order.status !== "paid") return null;
  const [t, locale] = await Promise.all([getTranslations("checkout"), getLocale().then(toLocale)]);
  const content =
    product.kind === "credit_pack" && product.credits
      ? t("credits", { count: product.credits })
      : pick(locale, product.contentZh, product.contentEn);
  if (!content) return null;
  return (
    <div
      className="rounded-xl bg-emerald-50 p-4 text-sm text-emerald-900"
      data-testid="purchased-content"
    >
      <p className="font-medium">{t("content")}</p>
      <p className="mt-1 break-words">{content}</p>
    </div>
  );
}
