import { describe, expect, it } from "vitest";
import { PRODUCT_SLUG, productSlugBody } from "./validation-slug";

describe("product slugs", () => {
  it("accepts the catalogue's kebab-case and refuses anything else", () => {
    expect(PRODUCT_SLUG.test("membership-weekly")).toBe(true);
    for (const bad of ["", "电子书", "a\r\nb", "A-b", "a".repeat(81), "../x"]) {
      expect(PRODUCT_SLUG.test(bad), bad).toBe(false);
    }
  });

  it("the route body names the failing field", () => {
    expect(productSlugBody.safeParse({ productSlug: "credits-10" }).success).toBe(true);
    const missing = productSlugBody.safeParse({});
    expect(missing.error?.issues[0]?.message).toBe("productSlug.required");
    const invalid = productSlugBody.safeParse({ productSlug: "Nope!" });
    expect(invalid.error?.issues[0]?.message).toBe("productSlug.invalid");
    const extra = productSlugBody.safeParse({ productSlug: "credits-10", amountFen: 1 });
    expect(extra.error?.issues[0]).toMatchObject({
      code: "unrecognized_keys",
      keys: ["amountFen"],
    });
  });
});
