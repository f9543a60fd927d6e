import { revalidatePath } from "next/cache";
import { getDb } from "@/db";
import { adminCoverResponse, handleCoverUpload } from "@/lib/admin/products-cover-upload";
import { assertAdmin } from "@/lib/auth/guards";
import { json, methodsNotAllowed, route } from "@/lib/http/json";

type Context = { params: Promise<{ id: string }> };

/** Uploads a product's cover (lib/admin/products-cover-upload.ts); the admin only. */
export const POST = route(async (request: Request, context: Context) => {
  const admin = await assertAdmin();
  const { id } = await context.params;
  const { status, slug, body } = await handleCoverUpload(await getDb(), admin, id, request);
  // The editor, the catalogue and the product's page show the new URL.
  revalidatePath("/admin/products", "layout");
  revalidatePath("/");
  revalidatePath(`/products/${slug}`);
  return json(body, { status, headers: { "cache-control": "no-store" } });
});

/**
 * The uploaded cover of any product, on sale or not (the editor's preview of a product off
 * sale, whose shop URL answers 404); 404 when it has none. The admin only, never cached.
 */
export const GET = route(async (_request: Request, context: Context) => {
  await assertAdmin();
  const { id } = await context.params;
  return adminCoverResponse(await getDb(), id);
});

/** Any other method: 405 with the JSON error. */
export const { PUT, PATCH, DELETE } = methodsNotAllowed(["GET", "POST"]);
