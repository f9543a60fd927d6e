import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db";
import { fileJson } from "@/lib/admin/content-file-json";
import { deleteFile, renameFile } from "@/lib/admin/content-files";
import { assertAdmin } from "@/lib/auth/guards";
import { json, methodsNotAllowed, readJson, route } from "@/lib/http/json";
import { getStorage } from "@/lib/storage";

type Context = { params: Promise<{ id: string }> };

const revalidate = () => {
  revalidatePath("/admin/products", "layout");
  revalidatePath("/admin/members");
};

/** Renames a file: `{"fileName": "…"}`. */
export const PATCH = route(async (request: Request, context: Context) => {
  const admin = await assertAdmin();
  const { id } = await context.params;
  const body = await readJson(request, z.object({ fileName: z.unknown() }));
  const { file, changed } = await renameFile(await getDb(), admin.id, id, body.fileName);
  revalidate();
  return json({ file: fileJson(file), changed }, { headers: { "cache-control": "no-store" } });
});

/** Deletes a file: the row, then its stored bytes. */
export const DELETE = route(async (_request: Request, context: Context) => {
  const admin = await assertAdmin();
  const { id } = await context.params;
  const file = await deleteFile({ db: await getDb(), storage: getStorage() }, admin.id, id);
  revalidate();
  return json({ deleted: file.id }, { headers: { "cache-control": "no-store" } });
});

/** Any other method: 405 with the JSON error. */
export const { GET, POST, PUT } = methodsNotAllowed(["PATCH", "DELETE"]);
