import { describe, expect, it, vi } from "vitest";
import { loadDashboard } from "@/lib/admin/dashboard-overview";
import type * as EnvModule from "@/lib/env";
import { now } from "@/lib/now";
import { seed, withTestDatabase } from "../helpers/db";

/*
 * POST /sandbox/control/dashboard-demo (issue #11: seeded data spanning 30 days for the
 * dashboard's e2e): sandbox mode and the admin only; what it writes is what the overview shows.
 */

const guard = vi.hoisted(() => ({ user: null as { id: string; role: string } | null }));
vi.mock("@/lib/auth/guards", async () => {
  const { AppError } = await import("@/lib/errors");
  return {
    assertAdmin: async () => {
      if (!guard.user) throw new AppError("unauthorized", "Sign in first.");
      if (guard.user.role !== "admin")
        throw new AppError("forbidden", "This needs the admin role.");
      return guard.user;
    },
  };
});
const mode = vi.hoisted(() => ({ sandbox: true }));
vi.mock("@/lib/env", async (importOriginal) => {
  const actual = await importOriginal<typeof EnvModule>();
  return { ...actual, getEnv: () => ({ ...actual.getEnv(), isSandbox: mode.sandbox }) };
});

const t = withTestDatabase();
const { POST } = await import("@/app/sandbox/control/dashboard-demo/route");
const call = () =>
  POST(new Request("http://shop.test/sandbox/control/dashboard-demo", { method: "POST" }), {});

describe("the dashboard's demo data", () => {
  it("is a 404 in live mode, 401 for strangers, 403 for buyers", async () => {
    mode.sandbox = false;
    guard.user = { id: "usr_admin", role: "admin" };
    expect((await call()).status).toBe(404);
    mode.sandbox = true;
    guard.user = null;
    expect((await call()).status).toBe(401);
    guard.user = { id: "usr_buyer", role: "buyer" };
    expect((await call()).status).toBe(403);
    expect((await loadDashboard(t.db(), await now())).totals.last30Fen).toBe(0);
  });

  it("writes 30 days once; the overview shows exactly what was written", async () => {
    mode.sandbox = true;
    guard.user = { id: "usr_admin", role: "admin" };
    // Without the catalogue there is nothing to sell: refused, nothing written.
    expect((await call()).status).toBe(409);
    await seed(t.db());
    const response = await call();
    expect(response.status).toBe(201);
    const written = (await response.json()) as {
      revenue: { day: string; channel: string; amountFen: number; orders: number }[];
    };
    const data = await loadDashboard(t.db(), await now());
    // Every one of the 30 days has QR purchases; renewals every other day.
    expect(data.series.every((day) => day.youzan > 0)).toBe(true);
    expect(data.series.filter((day) => day.alipay_renewal > 0)).toHaveLength(15);
    expect(data.series.filter((day) => day.alipay_first > 0)).toHaveLength(8);
    for (const cell of written.revenue) {
      const day = data.series.find((entry) => entry.day === cell.day);
      expect(day?.[cell.channel as "youzan"], `${cell.day} ${cell.channel}`).toBe(cell.amountFen);
    }
    const total = written.revenue.reduce((sum, cell) => sum + cell.amountFen, 0);
    expect(data.totals.last30Fen).toBe(total);
    expect(data.agreementsByStatus).toEqual({ active: 6, pending_sign: 2, unsigned: 1, closed: 1 });
    expect(data.activeMembers).toBe(6);
    expect(data.failing).toBe(2);
    expect(data.ordersInReview).toBe(2);
    expect(data.churn.churned).toBe(2);
    expect(data.mrrFen).toBeGreaterThan(0);
    expect(data.lastBillingRuns).toHaveLength(5);
    expect(data.inbox).toMatchObject({ failed: 1, dead: 1, rejected: 1, received: 1 });
    expect(data.inboxStuck).toBe(1);

    // Once only.
    expect((await call()).status).toBe(409);
  });
});
