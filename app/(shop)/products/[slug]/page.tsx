import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getLocale, getTranslations } from "next-intl/server";
import { cache } from "react";
import { BuyButton } from "@/components/orders/buy-button";
import { SubscribeButton } from "@/components/orders/subscribe-button";
import { Price } from "@/components/shop/price";
import { ProductCoverImage } from "@/components/shop/product-cover";
import { buttonClass } from "@/components/ui/button";
import { getDb } from "@/db";
import { productContents } from "@/db/queries/delivery";
import { ownsContent } from "@/db/queries/entitlements";
import { findActiveProductBySlug } from "@/db/queries/products";
import { pick, toLocale } from "@/i18n/locales";
import { getCurrentUser } from "@/lib/auth/guards";
import { fileKindLabel } from "@/lib/delivery/format";
import { fenToYuan } from "@/lib/money";
import { COVER, coverPath } from "@/lib/shop/artwork";

interface Props {
  params: Promise<{ slug: string }>;
}

// Metadata and page share one query per request.
const loadProduct = cache(async (slug: string) => {
  // Slugs are short kebab-case; anything else cannot exist, so skip the query.
  if (!/^[a-z0-9-]{1,80}$/.test(slug)) return undefined;
  return findActiveProductBySlug(await getDb(), slug);
});

/**
 * The share card: WeChat, Open Graph and Twitter-style previews of a shared product link show
 * its name, description, cover and price (`product:price:*`, Open Graph's product namespace).
 */
export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const product = await loadProduct((await params).slug);
  if (!product) return {};
  const [locale, meta] = await Promise.all([getLocale().then(toLocale), getTranslations("meta")]);
  const title = pick(locale, product.nameZh, product.nameEn);
  const description = pick(locale, product.descriptionZh, product.descriptionEn);
  // An uploaded cover has its own size; only the generated one is known to be 1200 × 630.
  const image = {
    url: coverPath(product.slug, product.coverSha256),
    ...(product.coverSha256 ? {} : COVER),
    alt: title,
  };
  return {
    title,
    description,
    alternates: { canonical: `/products/${product.slug}` },
    // Replaces the layout's openGraph (metadata merges shallowly): the site name again.
    openGraph: {
      siteName: meta("title"),
      type: "website",
      url: `/products/${product.slug}`,
      title,
      description,
      images: [image],
      locale: locale === "zh-CN" ? "zh_CN" : "en_US",
    },
    twitter: { card: "summary_large_image", title, description, images: [image.url] },
    other: {
      "product:price:amount": fenToYuan(product.priceFen),
      "product:price:currency": "CNY",
    },
  };
}

export default async function ProductPage({ params }: Props) {
  const product = await loadProduct((await params).slug);
  if (!product) notFound();
  const [t, tIncludes, locale, user, contents] = await Promise.all([
    getTranslations("product"),
    getTranslations("productIncludes"),
    getLocale().then(toLocale),
    getCurrentUser(),
    // What the buyer will get (counts and types, never the files' names) before paying.
    product.kind === "one_off"
      ? getDb().then((db) => productContents(db, product.id))
      : Promise.resolve(null),
  ]);

  const owned =
    user !== null &&
    product.kind === "one_off" &&
    (await ownsContent(await getDb(), user.id, product.id));

  return (
    <article className="mx-auto max-w-2xl space-y-6">
      <Link href="/" className="text-sm text-stone-500 hover:text-brand-600">
        {t("back")}
      </Link>
      <ProductCoverImage product={product} priority />
      <div className="space-y-2">
        <p className="text-xs font-medium tracking-wide text-brand-600 uppercase">
          {t(`kind.${product.kind}`)}
        </p>
        <h1 className="text-2xl font-bold sm:text-3xl">
          {pick(locale, product.nameZh, product.nameEn)}
        </h1>
      </div>
      <p className="leading-relaxed text-stone-700">
        {pick(locale, product.descriptionZh, product.descriptionEn)}
      </p>
      <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 rounded-2xl border border-stone-200 bg-white p-5">
        <dt className="text-stone-500">{t("price")}</dt>
        <dd>
          <Price product={product} className="text-lg" />
        </dd>
        {product.kind === "membership" && product.periodDays ? (
          <>
            <dt className="text-stone-500">{t("period")}</dt>
            <dd data-testid="product-period">{t("periodDays", { days: product.periodDays })}</dd>
          </>
        ) : null}
        {contents && (contents.files > 0 || contents.lessons > 0) ? (
          <>
            <dt className="text-stone-500">{tIncludes("label")}</dt>
            <dd data-testid="product-includes">
              {[
                contents.files > 0
                  ? tIncludes("files", {
                      count: contents.files,
                      types: contents.types.map(fileKindLabel).join(" / "),
                    })
                  : null,
                contents.lessons > 0 ? tIncludes("lessons", { count: contents.lessons }) : null,
              ]
                .filter(Boolean)
                .join(" · ")}
            </dd>
          </>
        ) : null}
        {product.kind === "credit_pack" && product.credits ? (
          <>
            <dt className="text-stone-500">{t("credits")}</dt>
            <dd>{t("creditsCount", { count: product.credits })}</dd>
          </>
        ) : null}
      </dl>
      <p className="text-sm text-stone-500">
        {product.kind === "membership" ? t("autoRenew") : t("deliveredAfterPayment")}
      </p>
      {product.kind === "membership" ? (
        user ? (
          <SubscribeButton productSlug={product.slug} />
        ) : (
          <Link
            href={`/signin?callbackUrl=${encodeURIComponent(`/products/${product.slug}`)}`}
            className={buttonClass("primary", "w-full py-3 text-base sm:w-auto sm:px-8")}
          >
            {t("signInToBuy")}
          </Link>
        )
      ) : owned ? (
        <p className="text-sm font-medium text-emerald-700" data-testid="already-owned">
          {t("owned")}{" "}
          <Link href="/account/library" className="underline" data-testid="owned-library">
            {tIncludes("openLibrary")}
          </Link>
        </p>
      ) : user ? (
        <BuyButton productSlug={product.slug} />
      ) : (
        <Link
          href={`/signin?callbackUrl=${encodeURIComponent(`/products/${product.slug}`)}`}
          className={buttonClass("primary", "w-full py-3 text-base sm:w-auto sm:px-8")}
        >
          {t("signInToBuy")}
        </Link>
      )}
    </article>
  );
}
