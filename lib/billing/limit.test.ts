import { describe, expect, it } from "vitest";
import type { AlipayGateway } from "@/lib/payments/alipay";
import { limitedGateway, limiter } from "./limit";

/** A task that runs until `release()` is called, recording how many ran at once. */
function gate() {
  let running = 0;
  let peak = 0;
  const releases: (() => void)[] = [];
  const started: number[] = [];
  const task = (n: number) => async () => {
    running++;
    peak = Math.max(peak, running);
    started.push(n);
    await new Promise<void>((resolve) => releases.push(resolve));
    running--;
    return n;
  };
  const releaseOne = async () => {
    releases.shift()!();
    // Let the finished task hand its slot on and the next one start.
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { task, releaseOne, peak: () => peak, started };
}

describe("limiter", () => {
  it("never runs more than the limit at once, and starts waiting tasks in order", async () => {
    const run = limiter(2);
    const g = gate();
    const results = [1, 2, 3, 4, 5].map((n) => run(g.task(n)));
    await Promise.resolve();
    expect(g.started).toEqual([1, 2]);
    await g.releaseOne();
    expect(g.started).toEqual([1, 2, 3]);
    await g.releaseOne();
    await g.releaseOne();
    await g.releaseOne();
    await g.releaseOne();
    expect(await Promise.all(results)).toEqual([1, 2, 3, 4, 5]);
    expect(g.peak()).toBe(2);
    expect(g.started).toEqual([1, 2, 3, 4, 5]);
  });

  it("frees the slot of a task that throws", async () => {
    const run = limiter(1);
    await expect(run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await run(async () => "next")).toBe("next");
  });

  it("refuses a limit below one", () => {
    expect(() => limiter(0)).toThrow(RangeError);
    expect(() => limiter(1.5)).toThrow(RangeError);
  });
});

describe("limitedGateway", () => {
  it("takes every network call through the limit, and the local ones around it", async () => {
    const calls: string[] = [];
    const answer = (name: string) => async () => {
      calls.push(name);
      return { kind: "succeeded" } as never;
    };
    const gateway = {
      chargeAgreement: answer("charge"),
      queryTrade: answer("queryTrade"),
      closeTrade: answer("closeTrade"),
      refund: answer("refund"),
      queryAgreement: answer("queryAgreement"),
      queryAgreementByExternalNo: answer("queryAgreementByExternalNo"),
      unsignAgreement: answer("unsign"),
      modifyExecutionPlan: answer("modify"),
      pageSignUrl: () => "https://sign",
      appPayOrderString: () => "order-string",
    } as unknown as AlipayGateway;
    let through = 0;
    const limited = limitedGateway(gateway, (task) => {
      through++;
      return task();
    });
    await limited.chargeAgreement({} as never);
    await limited.queryTrade("t");
    await limited.closeTrade("t");
    await limited.refund({} as never);
    await limited.queryAgreement("a");
    await limited.queryAgreementByExternalNo("x");
    await limited.unsignAgreement({ agreementNo: "a" });
    await limited.modifyExecutionPlan({ agreementNo: "a", deductDate: "2026-12-01" });
    expect(through).toBe(8);
    expect(calls).toHaveLength(8);
    expect(limited.pageSignUrl({} as never)).toBe("https://sign");
    expect(limited.appPayOrderString({} as never)).toBe("order-string");
    expect(through).toBe(8);
  });
});
