import Link from "next/link";
import { notFound } from "next/navigation";
import { getLocale, getTranslations } from "next-intl/server";
import { ContentFiles } from "@/components/admin/content-files";
import { ContentLessons } from "@/components/admin/content-lessons";
import { ProductCoverEditor } from "@/components/admin/products-cover";
import { ProductForm } from "@/components/admin/products-form";
import { ProductStatusControl } from "@/components/admin/products-status";
import { getDb } from "@/db";
import { listFiles, listLessons } from "@/db/queries/admin-content";
import { findCoverFacts } from "@/db/queries/admin-products";
import { findProductById } from "@/db/queries/products";
import { pick, toLocale } from "@/i18n/locales";
import { fileJson } from "@/lib/admin/content-file-json";
import { requireAdmin } from "@/lib/auth/guards";
import { getEnv } from "@/lib/env";
import { MIN_PERIOD_DAYS } from "@/lib/memberships/plan-rules";
import { fenToYuan, formatFen } from "@/lib/money";
import { coverPath } from "@/lib/shop/artwork";

interface Props {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

/** Bytes as the owner reads them: `812 KB`, `1.4 MB`. */
function byteSize(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${(bytes / (1024 * 1024)).toFixed(1)} MB`
    : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/**
 * /admin/products/<id>: the product's editor, its cover, and on sale / off sale. Unknown id →
 * 404.
 */
export default async function EditProductPage({ params, searchParams }: Props) {
  await requireAdmin();
  const { id } = await params;
  const db = await getDb();
  const product = /^[\w-]{1,64}$/.test(id) ? await findProductById(db, id) : undefined;
  if (!product) notFound();
  const oneOff = product.kind === "one_off";
  const [t, locale, facts, query, files, lessons] = await Promise.all([
    getTranslations("admin.catalog"),
    getLocale().then(toLocale),
    product.coverSha256 ? findCoverFacts(db, product.coverSha256) : undefined,
    searchParams,
    // Files and lessons belong to one-off products only (the schema's foreign key says so).
    oneOff ? listFiles(db, product.id) : [],
    oneOff ? listLessons(db, product.id) : [],
  ]);
  const name = pick(locale, product.nameZh, product.nameEn);
  return (
    <div className="max-w-3xl space-y-8">
      <div className="space-y-2">
        <Link href="/admin/products" className="text-sm text-stone-500 hover:text-brand-600">
          {t("products.back")}
        </Link>
        <h1 className="text-2xl font-bold break-words">{t("products.editTitle", { name })}</h1>
        {product.active ? (
          <Link
            href={`/products/${product.slug}`}
            className="text-sm text-brand-600 hover:underline"
          >
            {t("products.viewInShop")}
          </Link>
        ) : (
          <p className="text-sm text-amber-800">{t("products.notOnSale")}</p>
        )}
        {query.saved === "created" ? (
          <p role="status" className="rounded-lg bg-emerald-50 p-3 text-sm text-emerald-800">
            {t("products.created")}
          </p>
        ) : null}
      </div>
      <ProductForm
        productId={product.id}
        initial={{
          slug: product.slug,
          kind: product.kind,
          nameZh: product.nameZh,
          nameEn: product.nameEn,
          descriptionZh: product.descriptionZh,
          descriptionEn: product.descriptionEn,
          contentZh: product.contentZh ?? "",
          contentEn: product.contentEn ?? "",
          price: fenToYuan(product.priceFen),
          periodDays: product.periodDays?.toString() ?? "",
          credits: product.credits?.toString() ?? "",
          sortOrder: String(product.sortOrder),
          stampPdfs: product.stampPdfs ? "true" : "false",
        }}
        capLabel={formatFen(getEnv().alipay.singleCapFen)}
        minPeriodDays={MIN_PERIOD_DAYS}
      />
      <ProductCoverEditor
        productId={product.id}
        coverUrl={coverPath(product.slug, product.coverSha256)}
        uploaded={product.coverSha256 !== null}
        active={product.active}
        facts={
          facts
            ? t("cover.uploadedFacts", {
                type: facts.contentType,
                width: facts.width,
                height: facts.height,
                size: byteSize(facts.byteSize),
              })
            : null
        }
      />
      {oneOff ? (
        <>
          <ContentFiles
            target={{ kind: "product", productId: product.id }}
            files={files.map(fileJson)}
            maxMb={Math.floor(getEnv().uploadMaxBytes / (1024 * 1024))}
          />
          <ContentLessons
            productId={product.id}
            locale={locale}
            lessons={lessons.map((lesson) => ({
              id: lesson.id,
              titleZh: lesson.titleZh,
              titleEn: lesson.titleEn,
              bodyZh: lesson.bodyZh,
              bodyEn: lesson.bodyEn,
              videoUrl: lesson.videoUrl,
            }))}
          />
        </>
      ) : null}
      <ProductStatusControl productId={product.id} active={product.active} />
    </div>
  );
}
