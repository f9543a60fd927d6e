import { revalidatePath } from "next/cache";
import { getDb } from "@/db";
import { fileJson } from "@/lib/admin/content-file-json";
import { uploadFile } from "@/lib/admin/content-files";
import { uploadRoute } from "@/lib/admin/content-upload-route";
import { assertAdmin } from "@/lib/auth/guards";
import { getEnv } from "@/lib/env";
import { json } from "@/lib/http/json";
import { unproxiedMethodsNotAllowed } from "@/lib/http/unproxied-route";
import { getStorage } from "@/lib/storage";

type Context = { params: Promise<{ id: string }> };

/**
 * Uploads a file to a one-off product: multipart/form-data with one part `file` (and an optional
 * `name`), streamed to storage (lib/admin/content-files.ts). 201 with the file; 413, 415, 400,
 * 404, 409 with the reason. Outside proxy.ts (lib/admin/content-upload-route.ts).
 */
export const POST = uploadRoute(async (request: Request, context: Context) => {
  const admin = await assertAdmin();
  const { id } = await context.params;
  const deps = { db: await getDb(), storage: getStorage(), maxBytes: getEnv().uploadMaxBytes };
  const file = await uploadFile(deps, admin.id, id, request);
  revalidatePath("/admin/products", "layout");
  return json({ file: fileJson(file) }, { status: 201 });
});

/** Any other method: 405 with the JSON error. */
export const { GET, PUT, PATCH, DELETE } = unproxiedMethodsNotAllowed(["POST"]);
