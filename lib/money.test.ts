import { describe, expect, it } from "vitest";
import { assertFen, fenToYuan, formatFen, MoneyError, yuanToFen } from "@/lib/money";

describe("yuanToFen", () => {
  it.each([
    ["9.9", 990],
    ["9.90", 990],
    ["10", 1000],
    ["10.0", 1000],
    ["0", 0],
    ["0.00", 0],
    ["0.01", 1],
    ["0.1", 10],
    ["0.10", 10],
    ["0.99", 99],
    ["1", 100],
    ["1.05", 105],
    ["00.10", 10],
    ["123456.78", 12345678],
    ["9999999999999.99", 999999999999999],
  ])("%j → %d", (yuan, fen) => {
    expect(yuanToFen(yuan)).toBe(fen);
  });

  it("does not drift where float arithmetic would", () => {
    // Number("19.90") * 100 === 1989.9999999999998, 0.29 * 100 === 28.999999999999996,
    // 1.005 * 100 === 100.49999999999999, 4.35 * 100 === 434.99999999999994.
    expect(yuanToFen("19.90")).toBe(1990);
    expect(yuanToFen("0.29")).toBe(29);
    expect(yuanToFen("0.57")).toBe(57);
    expect(yuanToFen("4.35")).toBe(435);
    expect(yuanToFen("1.15")).toBe(115);
    expect(yuanToFen("8.20")).toBe(820);
    expect(yuanToFen("1234567.89")).toBe(123456789);
    // 0.1 + 0.2 style: summing the fen of the parts is exact.
    expect(yuanToFen("0.1") + yuanToFen("0.2")).toBe(yuanToFen("0.3"));
  });

  it("is exact for every cent value of a whole yuan", () => {
    for (let cents = 0; cents < 100; cents++) {
      const text = `19.${cents.toString().padStart(2, "0")}`;
      expect(yuanToFen(text)).toBe(1900 + cents);
    }
  });

  it("trims surrounding whitespace", () => {
    expect(yuanToFen(" 9.90 ")).toBe(990);
    expect(yuanToFen("\t10\n")).toBe(1000);
  });

  it.each([
    "-1",
    "-0.01",
    "+1",
    "1e3",
    "1E3",
    "1.234",
    "0.001",
    " ",
    "",
    "abc",
    "1.",
    ".5",
    "1..2",
    "1,000",
    "1,000.00",
    "1 000",
    "¥9.90",
    "9.90元",
    "0x10",
    "Infinity",
    "NaN",
    "１０", // full-width digits
    "99999999999999", // 14 whole digits
    "1.2.3",
  ])("rejects %j", (yuan) => {
    expect(() => yuanToFen(yuan)).toThrow(MoneyError);
  });

  it("names the rejected input in the error", () => {
    expect(() => yuanToFen("1e3")).toThrow('not a yuan amount: "1e3"');
  });
});

describe("fenToYuan", () => {
  it.each([
    [0, "0.00"],
    [1, "0.01"],
    [9, "0.09"],
    [10, "0.10"],
    [99, "0.99"],
    [100, "1.00"],
    [105, "1.05"],
    [990, "9.90"],
    [1000, "10.00"],
    [1990, "19.90"],
    [123456, "1234.56"],
    [999999999999999, "9999999999999.99"],
  ])("%d → %j", (fen, yuan) => {
    expect(fenToYuan(fen)).toBe(yuan);
  });

  it.each([
    ["a fraction of a fen", 9.9],
    ["a tiny fraction", 0.5],
    ["a negative amount", -1],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["an unsafe integer", Number.MAX_SAFE_INTEGER + 1],
  ])("rejects %s", (_label, fen) => {
    expect(() => fenToYuan(fen)).toThrow(MoneyError);
  });
});

describe("round trips", () => {
  it("fen → yuan → fen is the identity for 0..100 000 and large values", () => {
    for (let fen = 0; fen <= 100_000; fen++) {
      const back = yuanToFen(fenToYuan(fen));
      if (back !== fen) expect.fail(`${fen} came back as ${back}`);
    }
    for (const fen of [100_000_007, 2 ** 40 + 3, 999999999999999]) {
      expect(yuanToFen(fenToYuan(fen))).toBe(fen);
    }
  });

  it("yuan → fen → yuan gives the canonical two-decimal string", () => {
    const cases: [string, string][] = [
      ["9.9", "9.90"],
      ["10", "10.00"],
      ["0.01", "0.01"],
      ["00.5", "0.50"],
      ["19.90", "19.90"],
      ["0.29", "0.29"],
      [" 7 ", "7.00"],
    ];
    for (const [input, canonical] of cases) {
      expect(fenToYuan(yuanToFen(input))).toBe(canonical);
    }
  });
});

describe("formatFen", () => {
  it.each([
    [0, "¥0.00"],
    [1, "¥0.01"],
    [990, "¥9.90"],
    [99999, "¥999.99"],
    [100000, "¥1,000.00"],
    [123456, "¥1,234.56"],
    [1234567, "¥12,345.67"],
    [12345678, "¥123,456.78"],
    [100000000, "¥1,000,000.00"],
    [123456789012, "¥1,234,567,890.12"],
  ])("%d → %j", (fen, text) => {
    expect(formatFen(fen)).toBe(text);
  });

  it("rejects what fenToYuan rejects", () => {
    expect(() => formatFen(-100)).toThrow(MoneyError);
    expect(() => formatFen(1.5)).toThrow(MoneyError);
  });
});

describe("assertFen", () => {
  it("accepts non-negative safe integers", () => {
    expect(() => assertFen(0)).not.toThrow();
    expect(() => assertFen(Number.MAX_SAFE_INTEGER)).not.toThrow();
  });

  it("rejects everything else with a MoneyError", () => {
    for (const value of [-1, 0.1, Number.NaN, Number.NEGATIVE_INFINITY, 2 ** 53]) {
      expect(() => assertFen(value)).toThrow(MoneyError);
    }
    expect(() => assertFen(-1)).toThrow("not an amount in fen: -1");
  });
});
