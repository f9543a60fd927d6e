import { describe, expect, it } from "vitest";
import {
  addDays,
  churnRate,
  dashboardLinks,
  dashboardWindow,
  monthlyRecurringFen,
  monthsPerPeriod,
  revenueSeries,
  revenueTotals,
} from "./dashboard";

describe("the dashboard's window", () => {
  it("is 30 Shanghai days ending today, across month and year ends", () => {
    expect(dashboardWindow("2026-12-01")).toEqual({
      today: "2026-12-01",
      from7: "2026-11-25",
      from30: "2026-11-02",
    });
    expect(dashboardWindow("2027-01-03").from30).toBe("2026-12-05");
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2027-03-01", -1)).toBe("2027-02-28");
  });

  it("fills every day, sums channels, and totals today / 7 / 30 days", () => {
    const window = dashboardWindow("2026-12-01");
    const series = revenueSeries(window, [
      { day: "2026-12-01", channel: "youzan", amountFen: 990, orders: 1 },
      { day: "2026-12-01", channel: "alipay_renewal", amountFen: 3000, orders: 1 },
      { day: "2026-11-25", channel: "alipay_first", amountFen: 100, orders: 1 },
      { day: "2026-11-24", channel: "youzan", amountFen: 7, orders: 1 },
      { day: "2026-11-02", channel: "youzan", amountFen: 1, orders: 1 },
      { day: "2026-11-01", channel: "youzan", amountFen: 1_000_000, orders: 1 }, // outside
    ]);
    expect(series).toHaveLength(30);
    expect(series[0]?.day).toBe("2026-11-02");
    expect(series.at(-1)).toEqual({
      day: "2026-12-01",
      total: 3990,
      youzan: 990,
      alipay_first: 0,
      alipay_renewal: 3000,
    });
    expect(revenueTotals(window, series)).toEqual({
      todayFen: 3990,
      last7Fen: 4090,
      last30Fen: 4098,
    });
  });
});

describe("monthly recurring revenue", () => {
  it("counts 30/31-day, quarter and year periods as whole months; others by the average month", () => {
    expect(monthsPerPeriod(30)).toBe(1);
    expect(monthsPerPeriod(31)).toBe(1);
    expect(monthsPerPeriod(90)).toBe(3);
    expect(monthsPerPeriod(92)).toBe(3);
    expect(monthsPerPeriod(365)).toBe(12);
    expect(monthsPerPeriod(366)).toBe(12);
    expect(monthsPerPeriod(7)).toBeCloseTo(7 / 30.4375, 10);
    expect(monthsPerPeriod(28)).toBeCloseTo(28 / 30.4375, 10);
    expect(monthsPerPeriod(14)).toBeCloseTo(14 / 30.4375, 10);
    expect(() => monthsPerPeriod(0)).toThrow(RangeError);
  });

  it("sums each group's amount per month, rounded once", () => {
    expect(
      monthlyRecurringFen([
        { periodDays: 30, amountFen: 6000, agreements: 2 },
        { periodDays: 7, amountFen: 990, agreements: 1 },
        { periodDays: 90, amountFen: 7800, agreements: 1 },
        { periodDays: 365, amountFen: 36_000, agreements: 1 },
      ]),
    ).toBe(Math.round(6000 + (990 * 30.4375) / 7 + 2600 + 3000));
    expect(monthlyRecurringFen([])).toBe(0);
  });
});

describe("churn and links", () => {
  it("a rate needs a base", () => {
    expect(churnRate(2, 8)).toBe(0.25);
    expect(churnRate(0, 0)).toBeNull();
  });

  it("links to the filtered lists by their URL contracts", () => {
    expect(dashboardLinks.paidOrders("alipay_first", "2026-11-02", "2026-12-01")).toBe(
      "/admin/orders?channel=alipay_first&status=paid&from=2026-11-02&to=2026-12-01",
    );
    expect(dashboardLinks.paidOrders(null, "2026-12-01", "2026-12-01")).toBe(
      "/admin/orders?status=paid&from=2026-12-01&to=2026-12-01",
    );
    expect(dashboardLinks.ordersInReview()).toBe("/admin/orders?status=review");
    expect(dashboardLinks.agreements("pending_sign")).toBe(
      "/admin/subscriptions?status=pending_sign",
    );
    expect(dashboardLinks.failing()).toBe("/admin/subscriptions?failing=1");
    expect(dashboardLinks.churn("2026-11-02")).toBe("/admin/subscriptions?closedFrom=2026-11-02");
    expect(dashboardLinks.webhooks("received")).toBe("/admin/webhooks?status=received");
    expect(dashboardLinks.run("run_1")).toBe("/admin/runs/run_1");
  });
});
