import { getTranslations } from "next-intl/server";
import { ProductCard } from "@/components/shop/product-card";
import { getDb } from "@/db";
import { listActiveProducts } from "@/db/queries/products";
import { productKind } from "@/db/schema";

export default async function CataloguePage() {
  const [t, products] = await Promise.all([
    getTranslations("catalogue"),
    getDb().then(listActiveProducts),
  ]);
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-bold sm:text-3xl">{t("title")}</h1>
        <p className="mt-2 text-stone-600">{t("subtitle")}</p>
      </div>
      {products.length === 0 ? <p className="text-stone-500">{t("empty")}</p> : null}
      {productKind.enumValues.map((kind) => {
        const items = products.filter((product) => product.kind === kind);
        if (items.length === 0) return null;
        return (
          <section key={kind} aria-labelledby={`section-${kind}`} className="space-y-3">
            <h2 id={`section-${kind}`} className="text-lg font-semibold text-stone-800">
              {t(`section.${kind}`)}
            </h2>
            <ul className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3">
              {items.map((product) => (
                <ProductCard key={product.id} product={product} />
              ))}
            </ul>
          </section>
        );
      })}
    </div>
  );
}
