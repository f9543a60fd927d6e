import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import type { Product } from "@/db/schema";
import { pick, toLocale } from "@/i18n/locales";
import { Price } from "./price";
import { ProductCoverImage } from "./product-cover";

export async function ProductCard({ product }: { product: Product }) {
  const [t, locale] = await Promise.all([getTranslations("catalogue"), getLocale().then(toLocale)]);
  return (
    <li
      className="flex flex-col rounded-2xl border border-stone-200 bg-white p-5 shadow-sm"
      data-testid="product-card"
    >
      <Link href={`/products/${product.slug}`} tabIndex={-1} aria-hidden className="mb-4 -mx-1">
        <ProductCoverImage product={product} />
      </Link>
      <h3 className="text-base font-semibold">
        <Link href={`/products/${product.slug}`} className="hover:text-brand-600">
          {pick(locale, product.nameZh, product.nameEn)}
        </Link>
      </h3>
      <p className="mt-2 line-clamp-3 flex-1 text-sm text-stone-600">
        {pick(locale, product.descriptionZh, product.descriptionEn)}
      </p>
      <div className="mt-4 flex items-center justify-between">
        <Price product={product} />
        <Link
          href={`/products/${product.slug}`}
          className="text-sm text-stone-500 hover:text-brand-600"
        >
          {t("view")}
        </Link>
      </div>
    </li>
  );
}
