import { getTranslations } from "next-intl/server";
import type { Product } from "@/db/schema";
import { formatFen } from "@/lib/money";

/** The price as buyers read it: one-off `¥9.90`, plans `¥30.00 / 30 days`. */
export async function Price({ product, className = "" }: { product: Product; className?: string }) {
  const t = await getTranslations("product");
  const price = formatFen(product.priceFen);
  return (
    <span className={`font-semibold text-brand-600 tabular-nums ${className}`}>
      {product.kind === "membership" && product.periodDays
        ? t("perPeriod", { price, days: product.periodDays })
        : price}
    </span>
  );
}
