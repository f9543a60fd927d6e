import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { ProductsTable, type ProductListRow } from "@/components/admin/products-table";
import { buttonClass } from "@/components/ui/button";
import { getDb } from "@/db";
import { listProductsForAdmin } from "@/db/queries/admin-products";
import { requireAdmin } from "@/lib/auth/guards";

/** /admin/products: every product, on sale or not, with a way to each one's editor. */
export default async function AdminProductsPage() {
  await requireAdmin();
  const [t, tList, products] = await Promise.all([
    getTranslations("admin.catalog.products"),
    getTranslations("admin.products"),
    getDb().then(listProductsForAdmin),
  ]);
  const rows: ProductListRow[] = products.map((product) => ({
    id: product.id,
    slug: product.slug,
    nameZh: product.nameZh,
    nameEn: product.nameEn,
    kind: product.kind,
    priceFen: product.priceFen,
    periodDays: product.periodDays,
    credits: product.credits,
    active: product.active,
    hasCover: product.coverSha256 !== null,
  }));
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="space-y-1">
          <h1 className="text-2xl font-bold">{tList("title")}</h1>
          <p className="max-w-2xl text-sm text-stone-600">{t("intro")}</p>
        </div>
        <Link
          href="/admin/products/new"
          className={buttonClass("primary")}
          data-testid="product-new"
        >
          {t("new")}
        </Link>
      </div>
      <ProductsTable rows={rows} />
    </div>
  );
}
