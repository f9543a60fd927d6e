import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { GET as coverRoute } from "@/app/(shop)/products/[slug]/cover.png/route";
import { products } from "@/db/schema";
import { seed, withTestDatabase } from "../helpers/db";

const t = withTestDatabase();
beforeEach(() => seed(t.db()));

const get = (slug: string) =>
  coverRoute(new Request(`http://localhost/products/${slug}/cover.png`), {
    params: Promise.resolve({ slug }),
  });

/** Width and height from a PNG's IHDR chunk (after the 8-byte signature and chunk header). */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
  expect(bytes.subarray(12, 16).toString("ascii")).toBe("IHDR");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe("GET /products/<slug>/cover.png", () => {
  it("draws a 1200 × 630 PNG for every seeded product, cached for an hour", async () => {
    const seeded = await t.db().select({ slug: products.slug }).from(products);
    expect(seeded.length).toBeGreaterThanOrEqual(7);
    const images = new Set<string>();
    for (const { slug } of seeded) {
      const response = await get(slug);
      expect(response.status, slug).toBe(200);
      expect(response.headers.get("content-type")).toBe("image/png");
      expect(response.headers.get("cache-control")).toContain("max-age=3600");
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(pngSize(bytes)).toEqual({ width: 1200, height: 630 });
      images.add(bytes.toString("base64"));
    }
    // Each product has its own (kind, pattern and price differ).
    expect(images.size).toBe(seeded.length);
  });

  it("answers 404 with a reason for an unknown, malformed or withdrawn product", async () => {
    const [first] = await t.db().select({ slug: products.slug }).from(products).limit(1);
    await t.db().update(products).set({ active: false }).where(eq(products.slug, first!.slug));
    for (const slug of ["no-such-product", "../etc/passwd", "UPPER", "x".repeat(81), first!.slug]) {
      const response = await get(slug);
      expect(response.status, slug).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("not_found");
    }
  });
});
