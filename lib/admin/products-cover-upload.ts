import "server-only";
import type { Db } from "@/db/client";
import { findCoverImage, findProductById } from "@/db/queries/products";
import { COVER_MAX_BYTES } from "@/db/schema";
import type { CurrentUser } from "@/lib/auth/session-version";
import { AppError } from "@/lib/errors";
import { coverPath } from "@/lib/shop/artwork";
import { uploadCover } from "./products";

/**
 * Reads a request's body as bytes, at most `maxBytes`, whatever Content-Length claims: more is a
 * 413 with the reason (`cover.too_large`) before the rest is read.
 */
export async function readCappedBytes(request: Request, maxBytes: number): Promise<Uint8Array> {
  const tooLarge = () =>
    new AppError("payload_too_large", `A cover may be at most ${maxBytes} bytes (2 MB).`, {
      cover: ["cover.too_large"],
    });
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge();
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * `POST /api/admin/products/<id>/cover`: the body is the image itself (any Content-Type: the
 * bytes decide). Answers the product's new cover URL; 413 over 2 MB, 415 for what is not a PNG,
 * JPEG or WebP, 422 for an empty file or impossible dimensions, 404 for an unknown product.
 * The caller has checked the admin role (`admin`).
 */
export async function handleCoverUpload(
  db: Db,
  admin: CurrentUser,
  productId: string,
  request: Request,
): Promise<{
  status: number;
  slug: string;
  body: { coverUrl: string; coverSha256: string; changed: boolean };
}> {
  const bytes = await readCappedBytes(request, COVER_MAX_BYTES);
  const { product, changed } = await uploadCover(db, admin.id, productId, bytes);
  return {
    status: changed ? 201 : 200,
    slug: product.slug,
    body: {
      coverUrl: coverPath(product.slug, product.coverSha256),
      coverSha256: product.coverSha256 ?? "",
      changed,
    },
  };
}

/** The product's uploaded cover for the admin's eyes; not_found without one. */
export async function adminCoverResponse(db: Db, productId: string): Promise<Response> {
  const product = /^[\w-]{1,64}$/.test(productId)
    ? await findProductById(db, productId)
    : undefined;
  const image = product?.coverSha256 ? await findCoverImage(db, product.coverSha256) : undefined;
  if (!image) throw new AppError("not_found", "This product has no uploaded cover.");
  return new Response(Buffer.from(image.bytes), {
    headers: {
      "content-type": image.contentType,
      "cache-control": "private, no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
