import { revalidatePath } from "next/cache";
import { getDb } from "@/db";
import { fileJson } from "@/lib/admin/content-file-json";
import { replaceFile } from "@/lib/admin/content-files";
import { uploadRoute } from "@/lib/admin/content-upload-route";
import { assertAdmin } from "@/lib/auth/guards";
import { getEnv } from "@/lib/env";
import { json } from "@/lib/http/json";
import { unproxiedMethodsNotAllowed } from "@/lib/http/unproxied-route";
import { getStorage } from "@/lib/storage";

type Context = { params: Promise<{ id: string }> };

/** Replaces a file's bytes (same id, position and name unless `name` is sent). */
export const POST = uploadRoute(async (request: Request, context: Context) => {
  const admin = await assertAdmin();
  const { id } = await context.params;
  const deps = { db: await getDb(), storage: getStorage(), maxBytes: getEnv().uploadMaxBytes };
  const file = await replaceFile(deps, admin.id, id, request);
  revalidatePath("/admin/products", "layout");
  revalidatePath("/admin/members");
  return json({ file: fileJson(file) });
});

/** Any other method: 405 with the JSON error. */
export const { GET, PUT, PATCH, DELETE } = unproxiedMethodsNotAllowed(["POST"]);
