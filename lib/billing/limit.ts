import type { AlipayGateway } from "@/lib/payments/alipay";

/** Runs a task when one of `limit` slots is free; waiting tasks start in the order they came. */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

export function limiter(limit: number): Limiter {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be ≥ 1: ${limit}`);
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (active < limit) active++;
    // A finishing task hands its slot straight to the first waiter (active stays the same).
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

/**
 * The gateway with every call to Alipay taken through `run`: a billing run's concurrency is the
 * number of calls in flight at Alipay, while its other work (reading and writing the database
 * before and after each call) goes on beside them.
 */
export function limitedGateway(gateway: AlipayGateway, run: Limiter): AlipayGateway {
  return {
    chargeAgreement: (input) => run(() => gateway.chargeAgreement(input)),
    queryTrade: (outTradeNo) => run(() => gateway.queryTrade(outTradeNo)),
    closeTrade: (outTradeNo) => run(() => gateway.closeTrade(outTradeNo)),
    refund: (input) => run(() => gateway.refund(input)),
    queryAgreement: (agreementNo) => run(() => gateway.queryAgreement(agreementNo)),
    queryAgreementByExternalNo: (no) => run(() => gateway.queryAgreementByExternalNo(no)),
    unsignAgreement: (input) => run(() => gateway.unsignAgreement(input)),
    modifyExecutionPlan: (input) => run(() => gateway.modifyExecutionPlan(input)),
    // Local: they build a URL or a string, nothing is sent.
    pageSignUrl: (input) => gateway.pageSignUrl(input),
    appPayOrderString: (input) => gateway.appPayOrderString(input),
  };
}
