import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db";
import { fileJson } from "@/lib/admin/content-file-json";
import { reorderFiles } from "@/lib/admin/content-files";
import { assertAdmin } from "@/lib/auth/guards";
import { json, methodsNotAllowed, readJson, route } from "@/lib/http/json";

/**
 * Puts a product's (or, with `productId: null`, the members' area's) files in a new order:
 * `{"productId": "prd_…" | null, "ids": ["fil_…", …]}` naming exactly its files.
 */
export const POST = route(async (request: Request) => {
  const admin = await assertAdmin();
  const body = await readJson(
    request,
    z.object({ productId: z.string().max(64).nullable(), ids: z.unknown() }),
  );
  const { files, changed } = await reorderFiles(await getDb(), admin.id, body.productId, body.ids);
  revalidatePath("/admin/products", "layout");
  revalidatePath("/admin/members");
  return json(
    { files: files.map(fileJson), changed },
    { headers: { "cache-control": "no-store" } },
  );
});

/** Any other method: 405 with the JSON error. */
export const { GET, PUT, PATCH, DELETE } = methodsNotAllowed(["POST"]);
