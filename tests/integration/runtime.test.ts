import { describe, expect, it } from "vitest";
import { advanceClock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { APPLY_BUDGET_MS, getRuntime, INBOX_MAX_ATTEMPTS } from "@/lib/runtime";
import { withTestDatabase } from "../helpers/db";

const t = withTestDatabase();

describe("getRuntime", () => {
  it("builds the deps from the env, the process's database and the shop's clock", async () => {
    const deps = await getRuntime();
    const env = getEnv();
    expect(deps.db).toBe(t.db());
    expect(deps.youzanCredentials).toEqual({
      clientId: env.youzan.clientId,
      clientSecret: env.youzan.clientSecret,
      kdtId: env.youzan.kdtId,
    });
    expect(deps).toMatchObject({
      orderTtlMinutes: env.orderTtlMinutes,
      applyBudgetMs: APPLY_BUDGET_MS,
      inboxMaxAttempts: INBOX_MAX_ATTEMPTS,
    });
    // Sandbox mode: the shop's now is the virtual clock.
    await advanceClock(t.db(), 86_400);
    expect((await deps.now()).getTime() - Date.now()).toBeGreaterThan(86_400_000 - 60_000);
  });

  it("is built once per database and configuration, not per request (the Alipay client parses its keys once)", async () => {
    const first = await getRuntime();
    const [second, third] = await Promise.all([getRuntime(), getRuntime()]);
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(second.alipay.gateway).toBe(first.alipay.gateway);
  });

  it("background work outside a request still runs, and its failure is logged, not thrown", async () => {
    const { background } = await getRuntime();
    let ran = false;
    const task = Promise.resolve().then(() => {
      ran = true;
    });
    expect(() => background(task)).not.toThrow();
    await task;
    expect(ran).toBe(true);
    const failing = Promise.reject(new Error("late apply failed"));
    expect(() => background(failing)).not.toThrow();
    await failing.catch(() => {}); // already handled by background; this only awaits it
  });
});
