import { ImageResponse } from "next/og";
import { getDb } from "@/db";
import { findActiveProductBySlug } from "@/db/queries/products";
import { AppError } from "@/lib/errors";
import { route } from "@/lib/http/json";
import { formatFen } from "@/lib/money";
import { COVER, ProductCover } from "@/lib/shop/artwork";
import { uploadedCoverResponse } from "@/lib/shop/uploaded-cover";

/**
 * `/products/<slug>/cover.png`: the product's cover, generated from its kind, slug and price
 * — or the owner's own upload when the product has one (lib/shop/uploaded-cover.ts: its bytes
 * from the database, cached for good under its hashed URL). Shown in the catalogue and on the
 * product page, and the `og:image` of its share card. A generated cover is cached by browsers
 * and CDNs for an hour: a new price shows within that.
 *
 * Drawing a cover takes a CPU-heavy half second or more: each is drawn once per process and
 * kept (about 65 kB each; the oldest goes past the limit). A new price or kind is a new key.
 */
const RENDERED_LIMIT = 100;
const rendered = new Map<string, ArrayBuffer>();

export const GET = route(
  async (request: Request, context: { params: Promise<{ slug: string }> }) => {
    const { slug } = await context.params;
    const product = /^[a-z0-9-]{1,80}$/.test(slug)
      ? await findActiveProductBySlug(await getDb(), slug)
      : undefined;
    if (!product) throw new AppError("not_found", "No product with this slug is on sale.");
    if (product.coverSha256) {
      const uploaded = await uploadedCoverResponse(await getDb(), request, product.coverSha256);
      if (uploaded) return uploaded;
    }
    const key = `${product.slug}:${product.kind}:${product.priceFen}`;
    let png = rendered.get(key);
    if (!png) {
      png = await new ImageResponse(
        <ProductCover
          slug={product.slug}
          kind={product.kind}
          price={formatFen(product.priceFen)}
          width={COVER.width}
          height={COVER.height}
        />,
        COVER,
      ).arrayBuffer();
      if (rendered.size >= RENDERED_LIMIT) rendered.delete(rendered.keys().next().value!);
      rendered.set(key, png);
    }
    return new Response(png, {
      headers: {
        "content-type": "image/png",
        "cache-control": "public, max-age=3600, stale-while-revalidate=86400",
      },
    });
  },
);
