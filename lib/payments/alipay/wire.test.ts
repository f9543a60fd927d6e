import { describe, expect, it } from "vitest";
import {
  compact,
  fenOf,
  isCalendarDate,
  parseAlipayDate,
  parseAlipayTime,
  shanghaiTimestamp,
  yuan,
} from "./wire";

describe("amounts", () => {
  it.each([
    [1, "0.01"],
    [10, "0.10"],
    [990, "9.90"],
    [100_000, "1000.00"],
    [Number.MAX_SAFE_INTEGER, "90071992547409.91"],
  ])("%d fen → %s", (fen, text) => {
    expect(yuan(fen)).toBe(text);
  });

  it.each([
    ["0.01", 1],
    ["9.9", 990],
    ["10", 1000],
    ["99999999999.99", 9_999_999_999_999],
  ])("%s → %d fen", (text, fen) => {
    expect(fenOf(text)).toBe(fen);
  });

  it.each([["1.001"], ["-1.00"], ["1e3"], [""], [null], [undefined], [{}]])(
    "%j is not an amount (null, no throw)",
    (value) => {
      expect(fenOf(value)).toBeNull();
    },
  );
});

describe("times (GMT+8)", () => {
  it("stamps Shanghai wall time across the UTC date line", () => {
    expect(shanghaiTimestamp(new Date("2024-12-31T16:00:00Z"))).toBe("2025-01-01 00:00:00");
    expect(shanghaiTimestamp(new Date("2025-01-15T02:03:04.999Z"))).toBe("2025-01-15 10:03:04");
  });

  it("parses Alipay times and dates as GMT+8", () => {
    expect(parseAlipayTime("2025-01-01 00:00:00")).toEqual(new Date("2024-12-31T16:00:00Z"));
    expect(parseAlipayTime("2025-02-14")).toEqual(new Date("2025-02-13T16:00:00Z"));
    expect(parseAlipayDate("2025-02-14 08:00:00")).toBe("2025-02-14");
  });

  it.each([["2025-02-30 00:00:00"], ["2025-01-01 24:00:00"], ["yesterday"], [""], [42], [null]])(
    "%j is not a time",
    (value) => {
      expect(parseAlipayTime(value)).toBeNull();
    },
  );

  it("checks calendar dates", () => {
    expect(isCalendarDate("2024-02-29")).toBe(true);
    expect(isCalendarDate("2025-02-29")).toBe(false);
    expect(isCalendarDate("2025-02-14 00:00:00")).toBe(false);
  });
});

describe("compact", () => {
  it("drops undefined, null, empty strings and emptied objects at every depth", () => {
    expect(
      compact({
        a: "x",
        b: "",
        c: undefined,
        d: null,
        e: 0,
        f: { g: "", h: { i: undefined } },
        j: ["", "k"],
      }),
    ).toEqual({ a: "x", e: 0, j: ["k"] });
  });
});
