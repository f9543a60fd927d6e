import { getLocale, getTranslations } from "next-intl/server";
import { getDb } from "@/db";
import { listAllProducts } from "@/db/queries/products";
import { pick, toLocale } from "@/i18n/locales";
import { requireAdmin } from "@/lib/auth/guards";
import { formatFen } from "@/lib/money";

export default async function AdminProductsPage() {
  await requireAdmin();
  const [t, tKind, locale, products] = await Promise.all([
    getTranslations("admin.products"),
    getTranslations("product.kind"),
    getLocale().then(toLocale),
    getDb().then(listAllProducts),
  ]);
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">{t("title")}</h1>
      <div className="overflow-x-auto rounded-2xl border border-stone-200 bg-white">
        <table className="w-full text-left text-sm">
          <thead className="bg-stone-100 text-stone-600">
            <tr>
              <th className="px-3 py-2">{t("name")}</th>
              <th className="px-3 py-2">{t("slug")}</th>
              <th className="px-3 py-2">{t("kind")}</th>
              <th className="px-3 py-2 text-right">{t("price")}</th>
              <th className="px-3 py-2">{t("status")}</th>
            </tr>
          </thead>
          <tbody>
            {products.map((product) => (
              <tr key={product.id} className="border-t border-stone-100">
                <td className="px-3 py-2">{pick(locale, product.nameZh, product.nameEn)}</td>
                <td className="px-3 py-2 font-mono text-xs">{product.slug}</td>
                <td className="px-3 py-2">{tKind(product.kind)}</td>
                <td className="px-3 py-2 text-right tabular-nums">{formatFen(product.priceFen)}</td>
                <td className="px-3 py-2">{product.active ? t("active") : t("inactive")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
