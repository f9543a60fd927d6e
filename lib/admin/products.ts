import "server-only";
import type { Db } from "@/db/client";
import { isUniqueViolation } from "@/db/errors";
import {
  deleteUnusedCoverImage,
  insertCoverImage,
  insertProduct,
  lockProduct,
  slugTaken,
  updateProduct,
  type ProductChanges,
} from "@/db/queries/admin-products";
import { setProductStampPdfs } from "@/db/queries/admin-content";
import { insertAudit } from "@/db/queries/audit";
import type { Product } from "@/db/schema";
import { COVER_MAX_BYTES } from "@/db/schema";
import { AppError, type FieldErrors } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { inspectCover } from "./products-cover-image";
import { parseProductInput, type ProductTerms } from "./products-input";

/**
 * The product editor's actions (issue #11): create, edit, deactivate / reactivate, upload or
 * remove a cover. Each checks its input, changes the product and writes one audit row in the
 * same transaction (`product.<verb>`, details with the before and after of what changed). The
 * caller has checked the admin role; `actorUserId` is who acts.
 *
 * A price is the product's, never an agreement's: an agreement keeps the `single_amount_fen` it
 * was signed with (and Alipay the cap), so editing a plan's price changes what new subscribers
 * pay and nothing else. A deactivated product leaves the catalogue and cannot be bought
 * (`findActiveProductBySlug` is the only way in for orders and subscriptions); its agreements
 * keep renewing.
 */

export type ProductEditResult =
  { ok: true; product: Product; changed: boolean } | { ok: false; fields: FieldErrors };

const SLUG_UQ = "products_slug_uq";
const refused = (field: string, code: string): ProductEditResult => ({
  ok: false,
  fields: { [field]: [code] },
});
const slugTakenResult = refused("slug", "slug.taken");

/** The audit's view of a product: its terms (no timestamps). */
const TERM_KEYS = [
  "slug",
  "kind",
  "nameZh",
  "nameEn",
  "descriptionZh",
  "descriptionEn",
  "contentZh",
  "contentEn",
  "priceFen",
  "periodDays",
  "credits",
  "sortOrder",
] as const satisfies readonly (keyof ProductTerms & keyof Product)[];

function termsOf(product: Product | ProductTerms): Record<string, unknown> {
  return Object.fromEntries(TERM_KEYS.map((key) => [key, product[key]]));
}

/** The terms and, for a one-off product, its PDF stamping switch (the audit's view). */
function auditedTermsOf(product: Product): Record<string, unknown> {
  return product.kind === "one_off"
    ? { ...termsOf(product), stampPdfs: product.stampPdfs }
    : termsOf(product);
}

export async function createProduct(
  db: Db,
  actorUserId: string,
  input: unknown,
  singleCapFen: number,
): Promise<ProductEditResult> {
  const parsed = parseProductInput(input, singleCapFen);
  if (!parsed.ok) return parsed;
  const { terms } = parsed;
  if (await slugTaken(db, terms.slug)) return slugTakenResult;
  try {
    const product = await db.transaction(async (tx) => {
      const row = await insertProduct(tx, { id: newId("prd"), ...terms, active: true });
      if (!row) return undefined;
      await insertAudit(tx, {
        actorKind: "user",
        actorUserId,
        action: "product.create",
        targetType: "product",
        targetId: row.id,
        details: { after: auditedTermsOf(row) },
      });
      return row;
    });
    return product ? { ok: true, product, changed: true } : slugTakenResult;
  } catch (error) {
    if (isUniqueViolation(error, SLUG_UQ)) return slugTakenResult;
    throw error;
  }
}

/**
 * Saves the editor's form over the product. The kind is fixed once a product exists (orders,
 * grants and agreements were made for it); a form naming another kind is refused on that field.
 * Nothing changed → nothing written, no audit row.
 */
export async function editProduct(
  db: Db,
  actorUserId: string,
  productId: string,
  input: unknown,
  singleCapFen: number,
): Promise<ProductEditResult> {
  const parsed = parseProductInput(input, singleCapFen);
  if (!parsed.ok) return parsed;
  const { terms } = parsed;
  if (await slugTaken(db, terms.slug, productId)) return slugTakenResult;
  try {
    return await db.transaction(async (tx): Promise<ProductEditResult> => {
      const before = await lockProduct(tx, productId);
      if (!before) throw new AppError("not_found", "No product with this id.");
      if (before.kind !== terms.kind) {
        return refused("kind", "kind.locked");
      }
      const old = termsOf(before);
      const next = termsOf(terms);
      const changedKeys = TERM_KEYS.filter((key) => old[key] !== next[key]);
      const stampChanged = terms.stampPdfs !== undefined && terms.stampPdfs !== before.stampPdfs;
      if (changedKeys.length === 0 && !stampChanged) {
        return { ok: true, product: before, changed: false };
      }
      const changes = Object.fromEntries(
        changedKeys.map((key) => [key, next[key]]),
      ) as ProductChanges;
      if (stampChanged) await setProductStampPdfs(tx, productId, terms.stampPdfs!);
      const after =
        changedKeys.length > 0
          ? await updateProduct(tx, productId, changes)
          : await lockProduct(tx, productId);
      if (!after) throw new AppError("not_found", "No product with this id.");
      const stamp = (value: boolean | undefined) => (stampChanged ? { stampPdfs: value } : {});
      await insertAudit(tx, {
        actorKind: "user",
        actorUserId,
        action: "product.update",
        targetType: "product",
        targetId: productId,
        details: {
          before: {
            ...Object.fromEntries(changedKeys.map((key) => [key, old[key]])),
            ...stamp(before.stampPdfs),
          },
          after: {
            ...Object.fromEntries(changedKeys.map((key) => [key, next[key]])),
            ...stamp(terms.stampPdfs),
          },
        },
      });
      return { ok: true, product: after, changed: true };
    });
  } catch (error) {
    if (isUniqueViolation(error, SLUG_UQ)) return slugTakenResult;
    throw error;
  }
}

/**
 * Takes a product off sale (`active = false`) or puts it back. Already so → no change, no audit
 * row. Existing agreements and grants are untouched either way.
 */
export async function setProductActive(
  db: Db,
  actorUserId: string,
  productId: string,
  active: boolean,
): Promise<{ product: Product; changed: boolean }> {
  return db.transaction(async (tx) => {
    const before = await lockProduct(tx, productId);
    if (!before) throw new AppError("not_found", "No product with this id.");
    if (before.active === active) return { product: before, changed: false };
    const after = await updateProduct(tx, productId, { active });
    await insertAudit(tx, {
      actorKind: "user",
      actorUserId,
      action: active ? "product.reactivate" : "product.deactivate",
      targetType: "product",
      targetId: productId,
      details: { before: { active: before.active }, after: { active } },
    });
    return { product: after!, changed: true };
  });
}

/**
 * Makes the uploaded image the product's cover. The bytes are checked by content (PNG, JPEG or
 * WebP signature and a readable size; the name and the declared type are not trusted), stored
 * in the database under their SHA-256, and the product names that hash: the shop's cover URL
 * carries it, so a new cover is a new URL. The replaced image is deleted unless another product
 * uses the same bytes.
 */
export async function uploadCover(
  db: Db,
  actorUserId: string,
  productId: string,
  bytes: Uint8Array,
): Promise<{ product: Product; changed: boolean }> {
  if (bytes.length > COVER_MAX_BYTES) {
    throw new AppError("payload_too_large", `A cover may be at most ${COVER_MAX_BYTES} bytes.`, {
      cover: ["cover.too_large"],
    });
  }
  const inspected = inspectCover(bytes);
  if (!inspected.ok) {
    throw new AppError(
      inspected.reason === "cover.type" ? "unsupported_media_type" : "validation_failed",
      inspected.reason === "cover.type"
        ? "The file is not a PNG, JPEG or WebP image (checked by its content)."
        : inspected.reason === "cover.empty"
          ? "The file is empty."
          : "The image's width or height is outside 1–8000 pixels.",
      { cover: [inspected.reason] },
    );
  }
  const { facts } = inspected;
  return db.transaction(async (tx) => {
    const before = await lockProduct(tx, productId);
    if (!before) throw new AppError("not_found", "No product with this id.");
    if (before.coverSha256 === facts.sha256) return { product: before, changed: false };
    await insertCoverImage(tx, { ...facts, bytes });
    const after = await updateProduct(tx, productId, { coverSha256: facts.sha256 });
    if (before.coverSha256) await deleteUnusedCoverImage(tx, before.coverSha256);
    await insertAudit(tx, {
      actorKind: "user",
      actorUserId,
      action: "product.cover_upload",
      targetType: "product",
      targetId: productId,
      details: {
        before: { coverSha256: before.coverSha256 },
        after: { coverSha256: facts.sha256 },
        contentType: facts.contentType,
        byteSize: facts.byteSize,
        width: facts.width,
        height: facts.height,
      },
    });
    return { product: after!, changed: true };
  });
}

/** Back to the generated cover; the stored image goes unless another product uses it. */
export async function removeCover(
  db: Db,
  actorUserId: string,
  productId: string,
): Promise<{ product: Product; changed: boolean }> {
  return db.transaction(async (tx) => {
    const before = await lockProduct(tx, productId);
    if (!before) throw new AppError("not_found", "No product with this id.");
    if (!before.coverSha256) return { product: before, changed: false };
    const after = await updateProduct(tx, productId, { coverSha256: null });
    await deleteUnusedCoverImage(tx, before.coverSha256);
    await insertAudit(tx, {
      actorKind: "user",
      actorUserId,
      action: "product.cover_remove",
      targetType: "product",
      targetId: productId,
      details: { before: { coverSha256: before.coverSha256 }, after: { coverSha256: null } },
    });
    return { product: after!, changed: true };
  });
}
