import { describe, expect, it } from "vitest";
import {
  formatAlipayTime,
  inDeductWindow,
  isCalendarDate,
  newAgreementNo,
  newTradeNo,
  nextPeriodDate,
  parseAlipayTime,
  parseYuan,
  yuan,
} from "./time";

const at = (iso: string) => new Date(iso);

describe("GMT+8 times", () => {
  it("formats and parses yyyy-MM-dd HH:mm:ss in GMT+8", () => {
    expect(formatAlipayTime(at("2026-02-28T16:00:00Z"))).toBe("2026-03-01 00:00:00");
    expect(parseAlipayTime("2026-03-01 00:00:00")?.toISOString()).toBe("2026-02-28T16:00:00.000Z");
    expect(parseAlipayTime("2026-02-30 00:00:00")).toBeNull();
    expect(parseAlipayTime("2026-03-01T00:00:00")).toBeNull();
    expect(isCalendarDate("2028-02-29")).toBe(true);
    expect(isCalendarDate("2026-02-29")).toBe(false);
  });

  it("numbers: 28-digit date-prefixed trade_no, 20-digit agreement_no (GMT+8 date)", () => {
    const now = at("2026-03-31T16:30:00Z"); // 2026-04-01 00:30 in Shanghai
    expect(newTradeNo(now)).toMatch(/^2026040122001\d{15}$/);
    expect(newAgreementNo(now)).toMatch(/^20260401\d{12}$/);
  });

  it("yuan ↔ fen", () => {
    expect(yuan(1)).toBe("0.01");
    expect(yuan(1990)).toBe("19.90");
    expect(parseYuan("19.9")).toBe(1990);
    expect(parseYuan("0.01")).toBe(1);
    expect(parseYuan("1.001")).toBeNull();
    expect(parseYuan("-1")).toBeNull();
  });
});

describe("deduction window [next − W, next] in GMT+8 (spec §6, §9.8)", () => {
  it("opens W days before the date and closes at its end (W = 5 and 3)", () => {
    // next = 2026-07-06 → 07-01 … 07-06 (d-mod example)
    expect(inDeductWindow(at("2026-06-30T15:59:59Z"), "2026-07-06", 5)).toBe(false); // 06-30 23:59:59
    expect(inDeductWindow(at("2026-06-30T16:00:00Z"), "2026-07-06", 5)).toBe(true); // 07-01 00:00
    expect(inDeductWindow(at("2026-07-06T15:59:59Z"), "2026-07-06", 5)).toBe(true); // 07-06 23:59:59
    expect(inDeductWindow(at("2026-07-06T16:00:00Z"), "2026-07-06", 5)).toBe(false); // 07-07 00:00
    expect(inDeductWindow(at("2026-07-01T16:00:00Z"), "2026-07-06", 3)).toBe(false); // 07-02
    expect(inDeductWindow(at("2026-07-02T16:00:00Z"), "2026-07-06", 3)).toBe(true); // 07-03
  });

  it("uses the Shanghai date, not the UTC date, around midnight", () => {
    // 2026-02-28 17:00 UTC is already 03-01 in Shanghai: past a 02-28 date.
    expect(inDeductWindow(at("2026-02-28T17:00:00Z"), "2026-02-28", 5)).toBe(false);
    // 2026-03-01 15:00 UTC is 23:00 on 03-01 in Shanghai: still inside.
    expect(inDeductWindow(at("2026-03-01T15:00:00Z"), "2026-03-01", 5)).toBe(true);
  });

  it("crosses month and leap-year ends", () => {
    // next = 2028-03-02 → window from 2028-02-26 (leap year)
    expect(inDeductWindow(at("2028-02-25T16:00:00Z"), "2028-03-02", 5)).toBe(true); // 02-26
    expect(inDeductWindow(at("2028-02-24T16:00:00Z"), "2028-03-02", 5)).toBe(false); // 02-25
    // next = 2026-01-02 → window from 2025-12-28
    expect(inDeductWindow(at("2025-12-27T16:00:00Z"), "2026-01-02", 5)).toBe(true);
  });
});

describe("next period date", () => {
  it("DAY adds days; MONTH keeps the day of month (≤ 28)", () => {
    expect(nextPeriodDate("2026-02-25", "DAY", 7)).toBe("2026-03-04");
    expect(nextPeriodDate("2028-02-26", "DAY", 7)).toBe("2028-03-04");
    expect(nextPeriodDate("2026-01-28", "MONTH", 1)).toBe("2026-02-28");
    expect(nextPeriodDate("2026-12-15", "MONTH", 1)).toBe("2027-01-15");
    expect(nextPeriodDate("2026-11-10", "MONTH", 3)).toBe("2027-02-10");
  });
});
