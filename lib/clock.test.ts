import { describe, expect, it } from "vitest";
import {
  addDays,
  BUSINESS_TIME_ZONE,
  oneReadClock,
  shanghaiDate,
  startOfShanghaiDate,
  systemClock,
  withOneClockRead,
  type Clock,
} from "@/lib/clock";

/*
 * Pure helpers only (the offset clock itself needs a database). Every expectation is written in UTC
 * instants, so a result that depended on the machine's time zone would fail here; the suite can
 * also be run under another zone, e.g. `TZ=America/New_York npx vitest run ... lib/clock.test.ts`.
 */

describe("BUSINESS_TIME_ZONE", () => {
  it("is Asia/Shanghai", () => {
    expect(BUSINESS_TIME_ZONE).toBe("Asia/Shanghai");
  });
});

describe("shanghaiDate", () => {
  it.each([
    ["2026-03-31T15:59:59.999Z", "2026-03-31"],
    ["2026-03-31T16:00:00.000Z", "2026-04-01"],
    ["2026-03-31T00:00:00.000Z", "2026-03-31"],
    ["2026-03-30T16:00:00.000Z", "2026-03-31"],
    ["2026-12-31T15:59:59Z", "2026-12-31"],
    ["2026-12-31T16:00:00Z", "2027-01-01"],
    ["2028-02-28T16:00:00Z", "2028-02-29"],
    ["2027-02-28T16:00:00Z", "2027-03-01"],
    ["2026-07-01T03:00:00-05:00", "2026-07-01"], // 08:00Z → 16:00 in Shanghai
    ["2026-07-01T20:00:00-05:00", "2026-07-02"], // 01:00Z next day → 09:00 in Shanghai
    ["1970-01-01T00:00:00Z", "1970-01-01"],
  ])("%s → %s", (iso, date) => {
    expect(shanghaiDate(new Date(iso))).toBe(date);
  });

  it("changes date exactly at 16:00 UTC", () => {
    const boundary = Date.UTC(2026, 2, 31, 16, 0, 0, 0);
    expect(shanghaiDate(new Date(boundary - 1))).toBe("2026-03-31");
    expect(shanghaiDate(new Date(boundary))).toBe("2026-04-01");
  });

  it("does not observe daylight saving time (China has none)", () => {
    // Dates around the US and EU DST switches of 2026 keep the fixed +08:00 offset.
    for (const day of ["2026-03-08", "2026-03-29", "2026-10-25", "2026-11-01"]) {
      const [y, m, d] = day.split("-").map(Number) as [number, number, number];
      const before = new Date(Date.UTC(y, m - 1, d, 15, 59, 59));
      const after = new Date(Date.UTC(y, m - 1, d, 16, 0, 0));
      expect(shanghaiDate(before)).toBe(day);
      expect(shanghaiDate(after)).toBe(addDays(day, 1));
    }
  });

  it("throws on an invalid date rather than returning garbage", () => {
    expect(() => shanghaiDate(new Date(Number.NaN))).toThrow();
  });
});

describe("addDays", () => {
  it.each([
    ["2026-03-31", 1, "2026-04-01"],
    ["2026-04-30", 1, "2026-05-01"],
    ["2026-01-31", 30, "2026-03-02"],
    ["2026-02-28", 1, "2026-03-01"],
    ["2028-02-28", 1, "2028-02-29"],
    ["2028-02-29", 1, "2028-03-01"],
    ["2100-02-28", 1, "2100-03-01"], // not a leap year
    ["2000-02-28", 1, "2000-02-29"], // a leap year
    ["2026-12-31", 1, "2027-01-01"],
    ["2027-01-01", -1, "2026-12-31"],
    ["2026-03-01", -1, "2026-02-28"],
    ["2028-03-01", -1, "2028-02-29"],
    ["2026-05-15", 0, "2026-05-15"],
    ["2026-01-01", 365, "2027-01-01"],
    ["2028-01-01", 365, "2028-12-31"],
    ["2026-03-31", 30, "2026-04-30"],
    // Days on which some zones switch DST: calendar arithmetic must not lose or gain a day.
    ["2026-03-07", 1, "2026-03-08"],
    ["2026-03-08", 1, "2026-03-09"],
    ["2026-03-28", 2, "2026-03-30"],
    ["2026-10-24", 2, "2026-10-26"],
    ["2026-11-01", 1, "2026-11-02"],
    ["2026-09-05", 1, "2026-09-06"], // Chile: 00:00 does not exist on 2026-09-06
    ["2026-09-06", 1, "2026-09-07"],
    ["2026-09-05", 2, "2026-09-07"],
    ["2026-04-05", -1, "2026-04-04"],
  ])("%s %+d days → %s", (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });

  it("steps one day at a time through a whole leap year", () => {
    let date = "2028-01-01";
    const seen = new Set<string>([date]);
    for (let i = 0; i < 366; i++) {
      const next = addDays(date, 1);
      expect(next > date).toBe(true);
      expect(startOfShanghaiDate(next).getTime() - startOfShanghaiDate(date).getTime()).toBe(
        86_400_000,
      );
      date = next;
      seen.add(date);
    }
    expect(date).toBe("2029-01-01");
    expect(seen.size).toBe(367);
    expect(seen.has("2028-02-29")).toBe(true);
  });

  it.each(["2026-4-1", "20260401", "2026/04/01", "", "2026-04-01T00:00:00Z", " 2026-04-01", "abc"])(
    "rejects the malformed date %j",
    (date) => {
      expect(() => addDays(date, 1)).toThrow(`not a calendar date: ${date}`);
    },
  );

  it.each(["2026-02-30", "2026-13-01", "2026-00-10"])(
    "throws on the impossible date %j",
    (date) => {
      expect(() => addDays(date, 1)).toThrow();
    },
  );
});

describe("startOfShanghaiDate", () => {
  it.each([
    ["2026-04-01", "2026-03-31T16:00:00.000Z"],
    ["2026-03-31", "2026-03-30T16:00:00.000Z"],
    ["2026-01-01", "2025-12-31T16:00:00.000Z"],
    ["2028-02-29", "2028-02-28T16:00:00.000Z"],
    ["2028-03-01", "2028-02-29T16:00:00.000Z"],
    ["2026-07-15", "2026-07-14T16:00:00.000Z"],
    ["2026-11-01", "2026-10-31T16:00:00.000Z"],
  ])("%s begins at %s", (date, iso) => {
    const start = startOfShanghaiDate(date);
    expect(start).toBeInstanceOf(Date);
    expect(start.toISOString()).toBe(iso);
  });

  it("is the inverse of shanghaiDate at the boundary", () => {
    for (const date of ["2026-01-01", "2026-03-31", "2026-06-30", "2028-02-29", "2026-12-31"]) {
      const start = startOfShanghaiDate(date);
      expect(shanghaiDate(start)).toBe(date);
      expect(shanghaiDate(new Date(start.getTime() - 1))).toBe(addDays(date, -1));
    }
  });

  it("returns a plain Date, not a zoned subclass", () => {
    expect(Object.getPrototypeOf(startOfShanghaiDate("2026-04-01"))).toBe(Date.prototype);
  });
});

describe("oneReadClock", () => {
  const sandboxLike = (offsets: (number | Error)[]) => {
    let reads = 0;
    const clock: Clock = {
      now: async () => new Date(),
      atOffset: (offsetMs) => new Date(1_000_000 + offsetMs),
      readOffset: async () => {
        const next = offsets[reads++];
        if (next instanceof Error) throw next;
        return next!;
      },
    };
    return { clock, reads: () => reads };
  };

  it("reads the offset once for every now() of a request", async () => {
    const { clock, reads } = sandboxLike([60_000, 120_000]);
    const once = oneReadClock(clock);
    expect((await once.now()).getTime()).toBe(1_060_000);
    expect((await once.now()).getTime()).toBe(1_060_000);
    expect(reads()).toBe(1);
    // Another request reads again.
    expect((await oneReadClock(clock).now()).getTime()).toBe(1_120_000);
    expect(reads()).toBe(2);
  });

  it("does not keep a failed read", async () => {
    const { clock, reads } = sandboxLike([new Error("database down"), 5_000]);
    const once = oneReadClock(clock);
    await expect(once.now()).rejects.toThrow("database down");
    expect((await once.now()).getTime()).toBe(1_005_000);
    expect(reads()).toBe(2);
  });

  it("returns any other clock (the system's, a test's) as it is", () => {
    expect(oneReadClock(systemClock)).toBe(systemClock);
    const deps = { clock: systemClock, now: systemClock.now };
    expect(withOneClockRead(deps)).toBe(deps);
  });
});
