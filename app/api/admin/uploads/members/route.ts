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

/** Uploads a file to the members' area (as a product's upload, with no product). */
export const POST = uploadRoute(async (request: Request) => {
  const admin = await assertAdmin();
  const deps = { db: await getDb(), storage: getStorage(), maxBytes: getEnv().uploadMaxBytes };
  const file = await uploadFile(deps, admin.id, null, request);
  revalidatePath("/admin/members");
  return json({ file: fileJson(file) }, { status: 201 });
});

/** Any other method: 405 with the JSON error. */
export const { GET, PUT, PATCH, DELETE } = unproxiedMethodsNotAllowed(["POST"]);
