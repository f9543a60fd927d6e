import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { ProductForm } from "@/components/admin/products-form";
import { requireAdmin } from "@/lib/auth/guards";
import { getEnv } from "@/lib/env";
import { MIN_PERIOD_DAYS } from "@/lib/memberships/plan-rules";
import { formatFen } from "@/lib/money";

/** /admin/products/new: the editor, empty; saving creates the product (on sale at once). */
export default async function NewProductPage() {
  await requireAdmin();
  const t = await getTranslations("admin.catalog.products");
  return (
    <div className="max-w-3xl space-y-4">
      <Link href="/admin/products" className="text-sm text-stone-500 hover:text-brand-600">
        {t("back")}
      </Link>
      <h1 className="text-2xl font-bold">{t("createTitle")}</h1>
      <ProductForm
        initial={{ kind: "one_off", sortOrder: "0" }}
        capLabel={formatFen(getEnv().alipay.singleCapFen)}
        minPeriodDays={MIN_PERIOD_DAYS}
      />
    </div>
  );
}
