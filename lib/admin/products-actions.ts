"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getDb } from "@/db";
import { getCurrentUser } from "@/lib/auth/guards";
import { getEnv } from "@/lib/env";
import { isAppError } from "@/lib/errors";
import { moduleLogger } from "@/lib/logger";
import { createProduct, editProduct, removeCover, setProductActive } from "./products";
import { PRODUCT_FIELDS, type ProductFormValues } from "./products-input";
import type { ProductFormState, ProductStatusState } from "./products-form-state";

const log = moduleLogger("admin-products");

/** The form's text fields; a File or anything else in a field stays a non-string (refused). */
function formInput(form: FormData): { input: Record<string, unknown>; values: ProductFormValues } {
  const input: Record<string, unknown> = {};
  const values: ProductFormValues = {};
  for (const field of PRODUCT_FIELDS) {
    // A checkbox comes after its hidden "false": the last value is what the owner chose.
    const value = field === "stampPdfs" ? (form.getAll(field).at(-1) ?? null) : form.get(field);
    if (value === null) continue;
    input[field] = value;
    // Echoed back into the form, cut so a megabyte of garbage is not sent back.
    if (typeof value === "string") values[field] = value.slice(0, 6000);
  }
  return { input, values };
}

/** The admin acting, or the state to show; every action checks the role itself. */
async function actingAdmin(): Promise<{ id: string } | { error: "unauthorized" | "forbidden" }> {
  const user = await getCurrentUser();
  if (!user) return { error: "unauthorized" };
  if (user.role !== "admin") return { error: "forbidden" };
  return user;
}

function revalidateCatalogue(slugs: readonly string[]) {
  revalidatePath("/admin/products", "layout");
  revalidatePath("/");
  for (const slug of slugs) revalidatePath(`/products/${slug}`);
}

export async function createProductAction(
  _: ProductFormState,
  form: FormData,
): Promise<ProductFormState> {
  const { input, values } = formInput(form);
  const admin = await actingAdmin();
  if ("error" in admin) return { error: admin.error, values };
  let productId: string;
  try {
    const result = await createProduct(
      await getDb(),
      admin.id,
      input,
      getEnv().alipay.singleCapFen,
    );
    if (!result.ok) return { fields: result.fields, values };
    productId = result.product.id;
    revalidateCatalogue([result.product.slug]);
  } catch (error) {
    log.error({ err: error }, "product create failed");
    return { error: "failed", values };
  }
  redirect(`/admin/products/${productId}?saved=created`);
}

export async function updateProductAction(
  _: ProductFormState,
  form: FormData,
): Promise<ProductFormState> {
  const { input, values } = formInput(form);
  const productId = form.get("productId");
  const admin = await actingAdmin();
  if ("error" in admin) return { error: admin.error, values };
  if (typeof productId !== "string") return { error: "not_found", values };
  try {
    const result = await editProduct(
      await getDb(),
      admin.id,
      productId,
      input,
      getEnv().alipay.singleCapFen,
    );
    if (!result.ok) return { fields: result.fields, values };
    revalidateCatalogue([result.product.slug, typeof input.slug === "string" ? input.slug : ""]);
    return { saved: result.changed ? "updated" : "unchanged", values };
  } catch (error) {
    if (isAppError(error, "not_found")) return { error: "not_found", values };
    log.error({ err: error, productId }, "product update failed");
    return { error: "failed", values };
  }
}

/** `active` = "true" puts the product on sale, "false" takes it off. */
export async function setProductActiveAction(
  _: ProductStatusState,
  form: FormData,
): Promise<ProductStatusState> {
  const productId = form.get("productId");
  const active = form.get("active");
  const admin = await actingAdmin();
  if ("error" in admin) return { error: admin.error };
  if (typeof productId !== "string" || (active !== "true" && active !== "false")) {
    return { error: "invalid" };
  }
  try {
    const { product } = await setProductActive(
      await getDb(),
      admin.id,
      productId,
      active === "true",
    );
    revalidateCatalogue([product.slug]);
    return { done: product.active ? "reactivated" : "deactivated" };
  } catch (error) {
    if (isAppError(error, "not_found")) return { error: "not_found" };
    log.error({ err: error, productId }, "product status change failed");
    return { error: "failed" };
  }
}

export async function removeCoverAction(
  _: ProductStatusState,
  form: FormData,
): Promise<ProductStatusState> {
  const productId = form.get("productId");
  const admin = await actingAdmin();
  if ("error" in admin) return { error: admin.error };
  if (typeof productId !== "string") return { error: "invalid" };
  try {
    const { product } = await removeCover(await getDb(), admin.id, productId);
    revalidateCatalogue([product.slug]);
    return { done: "coverRemoved" };
  } catch (error) {
    if (isAppError(error, "not_found")) return { error: "not_found" };
    log.error({ err: error, productId }, "cover removal failed");
    return { error: "failed" };
  }
}
