import { describe, expect, it } from "vitest";
import { newId, newOrderNo, type IdPrefix } from "@/lib/ids";

const PREFIXES: IdPrefix[] = ["usr", "prd", "ord", "pay", "agr", "chg", "ent", "evt", "run"];
// Crockford base32, lower case, without i, l, o, u.
const BODY = /^[0-9a-hjkmnp-tv-z]{20}$/;

describe("newId", () => {
  it.each(PREFIXES)("%s ids are `%s_` + 20 base32 characters", (prefix) => {
    const id = newId(prefix);
    expect(id).toHaveLength(prefix.length + 1 + 20);
    expect(id.startsWith(`${prefix}_`)).toBe(true);
    expect(id.slice(prefix.length + 1)).toMatch(BODY);
  });

  it("never contains the ambiguous letters i, l, o, u or upper case", () => {
    for (let i = 0; i < 2000; i++) {
      const body = newId("ord").slice(4);
      expect(body).not.toMatch(/[ilouA-Z]/);
    }
  });

  it("produces 10 000 distinct ids", () => {
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) ids.add(newId("usr"));
    expect(ids.size).toBe(10_000);
  });

  it("uses all 32 symbols in every position (no bias towards part of the alphabet)", () => {
    const perPosition = Array.from({ length: 20 }, () => new Set<string>());
    for (let i = 0; i < 5000; i++) {
      const body = newId("evt").slice(4);
      for (let p = 0; p < 20; p++) perPosition[p]!.add(body[p]!);
    }
    for (const symbols of perPosition) expect(symbols.size).toBe(32);
  });
});

describe("newOrderNo", () => {
  const FORMAT = /^XP\d{8}[0-9A-Z]{10}$/;

  it("is XP + the date without dashes + 10 upper-case base32 characters", () => {
    const orderNo = newOrderNo("2026-04-01");
    expect(orderNo).toMatch(FORMAT);
    expect(orderNo.startsWith("XP20260401")).toBe(true);
    expect(orderNo).toHaveLength(20);
    expect(orderNo.length).toBeLessThanOrEqual(64);
    expect(orderNo.slice(10)).toMatch(/^[0-9A-HJKMNP-TV-Z]{10}$/);
  });

  it("only uses characters providers accept (letters, digits, underscore)", () => {
    for (let i = 0; i < 1000; i++) {
      const orderNo = newOrderNo("2028-02-29");
      expect(orderNo).toMatch(FORMAT);
      expect(orderNo).toMatch(/^\w{1,64}$/);
    }
  });

  it("produces 10 000 distinct order numbers on one day", () => {
    const numbers = new Set<string>();
    for (let i = 0; i < 10_000; i++) numbers.add(newOrderNo("2026-12-31"));
    expect(numbers.size).toBe(10_000);
  });

  it.each([
    "20260401",
    "2026-4-1",
    "2026/04/01",
    "26-04-01",
    "",
    "2026-04-01T00:00:00Z",
    " 2026-04-01",
    "2026-04-01 ",
    "abcd-ef-gh",
  ])("rejects the malformed date %j", (date) => {
    expect(() => newOrderNo(date)).toThrow(/YYYY-MM-DD/);
  });
});
