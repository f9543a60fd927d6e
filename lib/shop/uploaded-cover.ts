import "server-only";
import type { Db } from "@/db/client";
import { findCoverImage } from "@/db/queries/products";
import { coverVersion } from "./artwork";

/** A year: an uploaded cover's URL names its content, so it never changes under that URL. */
const IMMUTABLE = "public, max-age=31536000, immutable";
/** A URL without the current hash (an old share card): the current cover, looked at again soon. */
const REVALIDATE = "public, max-age=300, must-revalidate";

/**
 * The answer for a product's uploaded cover: its bytes and the type read from them at upload,
 * the full SHA-256 as ETag (a matching If-None-Match → 304), and a year's cache when the URL's
 * `v` is the current cover's (lib/shop/artwork.tsx coverPath). `undefined` when the image is
 * missing (the caller draws the generated cover instead).
 */
export async function uploadedCoverResponse(
  db: Db,
  request: Request,
  coverSha256: string,
): Promise<Response | undefined> {
  const etag = `"${coverSha256}"`;
  const current = new URL(request.url).searchParams.get("v") === coverVersion(coverSha256);
  const headers = {
    etag,
    "cache-control": current ? IMMUTABLE : REVALIDATE,
    "x-content-type-options": "nosniff",
  };
  const match = request.headers.get("if-none-match");
  if (match && match.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag)) {
    return new Response(null, { status: 304, headers });
  }
  const image = await findCoverImage(db, coverSha256);
  if (!image) return undefined;
  return new Response(Buffer.from(image.bytes), {
    headers: {
      ...headers,
      "content-type": image.contentType,
      "content-length": String(image.bytes.byteLength),
    },
  });
}
