import { z } from "zod";
import type { FieldErrors } from "@/lib/errors";
import { planViolations } from "@/lib/memberships/plan-rules";
import { MoneyError, yuanToFen } from "@/lib/money";
import { PRODUCT_SLUG } from "@/lib/validation-slug";
import { fieldErrorsOf } from "@/lib/validation";

/**
 * The product editor's input: what the form (or any client) sends, checked into a product's
 * terms, every refusal a field and a stable code (`price.invalid`) the editor shows beside the
 * field in the admin's language (messages `admin.catalog.fieldErrors.*`). Pure: the plan rules'
 * single-charge cap is passed in.
 */

export const PRODUCT_KINDS = ["one_off", "membership", "credit_pack"] as const;
export type ProductKind = (typeof PRODUCT_KINDS)[number];

/** ¥1,000,000: far above anything the shop sells, well inside a 32-bit integer of fen. */
export const MAX_PRICE_FEN = 100_000_000;
/** Ten years: longer than any plan Alipay would be asked to renew. */
export const MAX_PERIOD_DAYS = 3650;
export const MAX_CREDITS = 1_000_000;
export const MAX_NAME = 120;
export const MAX_DESCRIPTION = 2000;
export const MAX_CONTENT = 5000;

/** The form's fields, all text (FormData); a File or a missing field is refused by type. */
export const PRODUCT_FIELDS = [
  "slug",
  "kind",
  "nameZh",
  "nameEn",
  "descriptionZh",
  "descriptionEn",
  "contentZh",
  "contentEn",
  "price",
  "periodDays",
  "credits",
  "sortOrder",
  "stampPdfs",
] as const;
export type ProductField = (typeof PRODUCT_FIELDS)[number];
export type ProductFormValues = Partial<Record<ProductField, string>>;

/** The terms of a product as the editor saves them (fen, integers, nulls where a kind has none). */
export interface ProductTerms {
  slug: string;
  kind: ProductKind;
  nameZh: string;
  nameEn: string;
  descriptionZh: string;
  descriptionEn: string;
  contentZh: string | null;
  contentEn: string | null;
  priceFen: number;
  periodDays: number | null;
  credits: number | null;
  sortOrder: number;
  /**
   * One-off products: stamp PDFs with the buyer's account at download (issue #12). Undefined
   * when the form did not say (another kind, or a client that does not know the switch): the
   * product keeps what it has (true for a new one).
   */
  stampPdfs?: boolean;
}

const text = (field: string, max: number) =>
  z
    .string({ error: `${field}.required` })
    .trim()
    .min(1, `${field}.required`)
    .max(max, `${field}.too_long`);

const optionalText = (field: string, max: number) =>
  z
    .string({ error: `${field}.invalid` })
    .trim()
    .max(max, `${field}.too_long`)
    .optional()
    .transform((value) => (value ? value : null));

const wholeNumber = (field: string) =>
  z
    .string({ error: `${field}.invalid` })
    .trim()
    .regex(/^\d{1,9}$/, `${field}.invalid`)
    .transform(Number);

const baseSchema = z.object({
  slug: z
    .string({ error: "slug.required" })
    .trim()
    .min(1, "slug.required")
    .regex(PRODUCT_SLUG, "slug.invalid"),
  kind: z.enum(PRODUCT_KINDS, { error: "kind.invalid" }),
  nameZh: text("name", MAX_NAME),
  nameEn: text("name", MAX_NAME),
  descriptionZh: text("description", MAX_DESCRIPTION),
  descriptionEn: text("description", MAX_DESCRIPTION),
  contentZh: optionalText("content", MAX_CONTENT),
  contentEn: optionalText("content", MAX_CONTENT),
  price: z
    .string({ error: "price.required" })
    .trim()
    .min(1, "price.required")
    .max(20, "price.invalid"),
  periodDays: z.string({ error: "periodDays.invalid" }).trim().optional(),
  credits: z.string({ error: "credits.invalid" }).trim().optional(),
  sortOrder: z
    .string({ error: "sortOrder.invalid" })
    .trim()
    .optional()
    .transform((value) => (value ? value : "0"))
    .pipe(wholeNumber("sortOrder")),
  // A checkbox behind a hidden "false": the form sends "false", or "false" and "true" (the
  // action keeps the last); absent, nothing is said.
  stampPdfs: z.enum(["true", "false"], { error: "stampPdfs.invalid" }).optional(),
});

/** A price in yuan ("12", "12.5", "12.50") → fen, or the reason it is not one. */
export function parsePrice(raw: string): { fen: number } | { error: string } {
  let fen: number;
  try {
    fen = yuanToFen(raw.replace(/^¥/, ""));
  } catch (error) {
    if (error instanceof MoneyError) return { error: "price.invalid" };
    throw error;
  }
  if (fen <= 0) return { error: "price.min" };
  if (fen > MAX_PRICE_FEN) return { error: "price.max" };
  return { fen };
}

function parseCount(
  raw: string | undefined,
  field: "periodDays" | "credits",
  max: number,
): { value: number } | { error: string } {
  if (raw === undefined || raw === "") return { error: `${field}.required` };
  if (!/^\d{1,9}$/.test(raw)) return { error: `${field}.invalid` };
  const value = Number(raw);
  if (value < 1) return { error: `${field}.invalid` };
  if (value > max) return { error: `${field}.max` };
  return { value };
}

export type ProductInputResult =
  { ok: true; terms: ProductTerms } | { ok: false; fields: FieldErrors };

/**
 * Checks the editor's input. Membership plans are held to the Alipay rules
 * (lib/memberships/plan-rules.ts: a period of at least 7 days, a price within the single-charge
 * cap); the fields a kind does not use are ignored and saved as null.
 */
export function parseProductInput(input: unknown, singleCapFen: number): ProductInputResult {
  const parsed = baseSchema.safeParse(input);
  const fields: FieldErrors = parsed.success ? {} : fieldErrorsOf(parsed.error);
  const raw = (typeof input === "object" && input !== null ? input : {}) as Record<string, unknown>;
  const str = (key: string) => (typeof raw[key] === "string" ? raw[key].trim() : undefined);
  const kind = PRODUCT_KINDS.find((k) => k === str("kind"));

  let priceFen: number | undefined;
  if (!fields.price) {
    const price = parsePrice(str("price") ?? "");
    if ("error" in price) fields.price = [price.error];
    else priceFen = price.fen;
  }
  let periodDays: number | null = null;
  let credits: number | null = null;
  if (kind === "membership" && !fields.periodDays) {
    const period = parseCount(str("periodDays"), "periodDays", MAX_PERIOD_DAYS);
    if ("error" in period) fields.periodDays = [period.error];
    else periodDays = period.value;
  }
  if (kind === "credit_pack" && !fields.credits) {
    const count = parseCount(str("credits"), "credits", MAX_CREDITS);
    if ("error" in count) fields.credits = [count.error];
    else credits = count.value;
  }
  if (kind === "membership" && priceFen !== undefined && periodDays !== null) {
    for (const violation of planViolations(
      { slug: str("slug") ?? "", kind, priceFen, periodDays },
      singleCapFen,
    )) {
      if (violation.rule === "period_min_days") fields.periodDays ??= ["periodDays.min"];
      else fields.price ??= ["price.cap"];
    }
  }
  if (!parsed.success || Object.keys(fields).length > 0 || priceFen === undefined) {
    return { ok: false, fields };
  }
  const data = parsed.data;
  return {
    ok: true,
    terms: {
      slug: data.slug,
      kind: data.kind,
      nameZh: data.nameZh,
      nameEn: data.nameEn,
      descriptionZh: data.descriptionZh,
      descriptionEn: data.descriptionEn,
      contentZh: data.contentZh,
      contentEn: data.contentEn,
      priceFen,
      periodDays,
      credits,
      sortOrder: data.sortOrder,
      ...(data.kind === "one_off" && data.stampPdfs !== undefined
        ? { stampPdfs: data.stampPdfs === "true" }
        : {}),
    },
  };
}
