import { z } from "zod";

/** The slugs the catalogue uses: short kebab-case. Anything else cannot exist. */
export const PRODUCT_SLUG = /^[a-z0-9-]{1,80}$/;

/**
 * The body of every "start something for this product" route: `{"productSlug"}` and nothing
 * else (an unknown field is a client's mistake worth telling, as Stripe does).
 */
export const productSlugBody = z.strictObject({
  productSlug: z
    .string({ error: "productSlug.required" })
    .regex(PRODUCT_SLUG, "productSlug.invalid"),
});
