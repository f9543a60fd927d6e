import { describe, expect, it } from "vitest";
import { parsePrice, parseProductInput } from "./products-input";

const CAP = 10_000;
const base = {
  slug: "guide",
  kind: "one_off",
  nameZh: " 指南 ",
  nameEn: "Guide",
  descriptionZh: "说明",
  descriptionEn: "About",
  price: "9.9",
};

describe("parsePrice", () => {
  it("turns yuan into fen without floats", () => {
    expect(parsePrice("9.9")).toEqual({ fen: 990 });
    expect(parsePrice("0.01")).toEqual({ fen: 1 });
    expect(parsePrice("¥19.90")).toEqual({ fen: 1990 });
    expect(parsePrice("1000000")).toEqual({ fen: 100_000_000 });
  });

  it("refuses what is not a positive amount within ¥1,000,000", () => {
    expect(parsePrice("0")).toEqual({ error: "price.min" });
    expect(parsePrice("0.00")).toEqual({ error: "price.min" });
    expect(parsePrice("1000000.01")).toEqual({ error: "price.max" });
    for (const bad of ["-1", "1,000", "1e2", "9.999", "abc", "", "NaN", "0x10", "Infinity"]) {
      expect(parsePrice(bad), bad).toEqual({ error: "price.invalid" });
    }
  });
});

describe("parseProductInput", () => {
  it("trims texts, turns empty optional ones into null and defaults the position to 0", () => {
    expect(parseProductInput({ ...base, contentZh: "  " }, CAP)).toEqual({
      ok: true,
      terms: {
        slug: "guide",
        kind: "one_off",
        nameZh: "指南",
        nameEn: "Guide",
        descriptionZh: "说明",
        descriptionEn: "About",
        contentZh: null,
        contentEn: null,
        priceFen: 990,
        periodDays: null,
        credits: null,
        sortOrder: 0,
      },
    });
  });

  it("applies the plan rules to memberships only", () => {
    const plan = { ...base, kind: "membership", periodDays: "7", price: "100" };
    expect(parseProductInput(plan, CAP)).toMatchObject({ ok: true, terms: { periodDays: 7 } });
    expect(parseProductInput({ ...plan, price: "100.01" }, CAP)).toEqual({
      ok: false,
      fields: { price: ["price.cap"] },
    });
    expect(parseProductInput({ ...plan, periodDays: "6" }, CAP)).toEqual({
      ok: false,
      fields: { periodDays: ["periodDays.min"] },
    });
    // A one-off over the membership cap is fine.
    expect(parseProductInput({ ...base, price: "500" }, CAP).ok).toBe(true);
  });

  it("reports every bad field at once", () => {
    expect(parseProductInput({ kind: "x" }, CAP)).toEqual({
      ok: false,
      fields: {
        slug: ["slug.required"],
        kind: ["kind.invalid"],
        nameZh: ["name.required"],
        nameEn: ["name.required"],
        descriptionZh: ["description.required"],
        descriptionEn: ["description.required"],
        price: ["price.required"],
      },
    });
  });
});
