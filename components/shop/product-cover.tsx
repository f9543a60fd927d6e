import type { Product } from "@/db/schema";
import { COVER, coverPath } from "@/lib/shop/artwork";

/**
 * A product's cover at the width of its container (1.91:1). Decorative: the product's name is
 * next to it, so the image has an empty alt. A plain <img>: the cover is already a sized PNG
 * (next/image would need its optimiser, and sharp, for nothing); an uploaded one is cropped to
 * the same shape.
 */
export function ProductCoverImage({
  product,
  priority = false,
}: {
  product: Pick<Product, "slug" | "coverSha256">;
  /** Above the fold (the product page): loaded at once, not lazily. */
  priority?: boolean;
}) {
  return (
    // eslint-disable-next-line @next/next/no-img-element -- a generated, already sized PNG
    <img
      src={coverPath(product.slug, product.coverSha256)}
      alt=""
      width={COVER.width}
      height={COVER.height}
      loading={priority ? "eager" : "lazy"}
      decoding="async"
      className="aspect-[40/21] w-full rounded-xl bg-stone-100 object-cover"
      data-testid="product-cover"
    />
  );
}
