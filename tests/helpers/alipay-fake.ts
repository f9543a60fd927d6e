import type {
  AlipayExchange,
  AlipayFailure,
  AlipayGateway,
  AlipayNotification,
  ChargeInput,
  QueriedAgreement,
  QueriedTrade,
} from "@/lib/payments/alipay";
import type { AlipayWebhookDeps } from "@/lib/webhooks/types";

/*
 * A scripted stand-in for the Alipay port, for the shop's own rules (lib/subscriptions): it
 * records each call and answers what the test set. Protocol fidelity is the sandbox's job
 * (tests/integration/alipay-*.test.ts talk to it over HTTP with real signatures).
 */

const exchange = (apiMethod: string, request: Record<string, unknown> = {}): AlipayExchange => ({
  apiMethod,
  request,
  response: { fake: true },
  httpStatus: 200,
  durationMs: 1,
});

export type ChargeScript =
  { kind: "succeeded"; tradeNo?: string } | (AlipayFailure & { committed?: boolean });

export interface FakeAlipay {
  gateway: AlipayGateway;
  calls: { method: string; input: unknown }[];
  /** What the next charges answer (a queue; empty → success). */
  charges: ChargeScript[];
  /** Trades Alipay "knows" (charged), by out_trade_no. */
  trades: Map<string, { tradeNo: string; amountFen: number }>;
  /** Agreements signed at "Alipay", by our external number. */
  signed: Map<string, { agreementNo: string; alipayUserId: string }>;
  unsignAnswer: AlipayFailure | null;
}

export function fakeAlipay(): FakeAlipay {
  const fake: FakeAlipay = {
    calls: [],
    charges: [],
    trades: new Map(),
    signed: new Map(),
    unsignAnswer: null,
    gateway: undefined as unknown as AlipayGateway,
  };
  let tradeSeq = 0;
  const record = (method: string, input: unknown) => fake.calls.push({ method, input });
  const agreementAnswer = (found: QueriedAgreement) => ({
    kind: "succeeded" as const,
    ...found,
    exchange: exchange("alipay.user.agreement.query"),
  });

  fake.gateway = {
    async chargeAgreement(input: ChargeInput) {
      record("alipay.trade.pay", input);
      const script = fake.charges.shift() ?? { kind: "succeeded" };
      const known = fake.trades.get(input.outTradeNo);
      if (script.kind === "succeeded" || known) {
        const tradeNo =
          known?.tradeNo ??
          (script.kind === "succeeded" ? script.tradeNo : undefined) ??
          `2026113022001${String(++tradeSeq).padStart(15, "0")}`;
        fake.trades.set(input.outTradeNo, { tradeNo, amountFen: input.amountFen });
        return {
          kind: "succeeded",
          tradeNo,
          outTradeNo: input.outTradeNo,
          amountFen: input.amountFen,
          paidAt: new Date("2026-11-30T04:00:00Z"),
          buyerUserId: "2088000000000002",
          alreadyPaid: Boolean(known),
          exchange: exchange("alipay.trade.pay", { ...input }),
        };
      }
      if (script.committed) {
        fake.trades.set(input.outTradeNo, {
          tradeNo: `2026113022001${String(++tradeSeq).padStart(15, "0")}`,
          amountFen: input.amountFen,
        });
      }
      const { committed: _committed, ...failure } = script;
      return { ...failure, exchange: exchange("alipay.trade.pay", { ...input }) };
    },
    async queryTrade(outTradeNo: string) {
      record("alipay.trade.query", outTradeNo);
      const known = fake.trades.get(outTradeNo);
      const answer: QueriedTrade = known
        ? {
            found: true,
            tradeNo: known.tradeNo,
            outTradeNo,
            status: "TRADE_SUCCESS",
            amountFen: known.amountFen,
            paidAt: new Date("2026-11-30T04:00:00Z"),
            buyerUserId: "2088000000000002",
          }
        : {
            found: false,
            tradeNo: null,
            outTradeNo,
            status: null,
            amountFen: null,
            paidAt: null,
            buyerUserId: null,
          };
      return { kind: "succeeded", ...answer, exchange: exchange("alipay.trade.query") };
    },
    async closeTrade(outTradeNo: string) {
      record("alipay.trade.close", outTradeNo);
      return { kind: "succeeded", tradeNo: null, exchange: exchange("alipay.trade.close") };
    },
    async refund(input) {
      record("alipay.trade.refund", input);
      return {
        kind: "succeeded",
        fundChange: true,
        refundedFen: input.amountFen,
        exchange: exchange("alipay.trade.refund"),
      };
    },
    async queryAgreement(agreementNo: string) {
      record("alipay.user.agreement.query", agreementNo);
      const entry = [...fake.signed.entries()].find(([, v]) => v.agreementNo === agreementNo);
      return agreementAnswer(agreementOf(entry));
    },
    async queryAgreementByExternalNo(externalAgreementNo: string) {
      record("alipay.user.agreement.query", externalAgreementNo);
      const signed = fake.signed.get(externalAgreementNo);
      return agreementAnswer(agreementOf(signed ? [externalAgreementNo, signed] : undefined));
    },
    async unsignAgreement(input) {
      record("alipay.user.agreement.unsign", input);
      if (fake.unsignAnswer) {
        return { ...fake.unsignAnswer, exchange: exchange("alipay.user.agreement.unsign") };
      }
      return { kind: "succeeded", exchange: exchange("alipay.user.agreement.unsign") };
    },
    async modifyExecutionPlan(input) {
      record("alipay.user.agreement.executionplan.modify", input);
      return {
        kind: "succeeded",
        deductDate: input.deductDate,
        exchange: exchange("alipay.user.agreement.executionplan.modify"),
      };
    },
    pageSignUrl(input) {
      record("alipay.user.agreement.page.sign", input);
      return `https://alipay.test/gateway.do?external_agreement_no=${input.externalAgreementNo}&execute_time=${input.executeDate}`;
    },
    appPayOrderString(input) {
      record("alipay.trade.app.pay", input);
      return `app_id=fake&out_trade_no=${input.outTradeNo}&external_agreement_no=${input.sign.externalAgreementNo}`;
    },
  };
  return fake;
}

function agreementOf(
  entry: [string, { agreementNo: string; alipayUserId: string }] | undefined,
): QueriedAgreement {
  return {
    found: entry !== undefined,
    agreementNo: entry?.[1].agreementNo ?? null,
    externalAgreementNo: entry?.[0] ?? null,
    status: entry ? "NORMAL" : null,
    alipayUserId: entry?.[1].alipayUserId ?? null,
    signTime: entry ? new Date("2026-11-30T03:59:00Z") : null,
    nextDeductDate: null,
    lastDeductTime: null,
    singleQuotaFen: null,
  };
}

export const FAKE_APP_ID = "2021000000000001";
export const FAKE_SELLER_ID = "2088000000000001";

export function fakeAlipayDeps(fake: FakeAlipay, over: Partial<AlipayWebhookDeps> = {}) {
  return {
    gateway: fake.gateway,
    appId: FAKE_APP_ID,
    sellerId: FAKE_SELLER_ID,
    singleCapFen: 10_000,
    appUrl: "http://shop.test",
    alipayPublicKey: "unused-by-the-fake",
    ...over,
  } satisfies AlipayWebhookDeps;
}

/** Notifications as the client would parse them, for the shop's rules. */
export const notify = {
  signed(externalAgreementNo: string, agreementNo: string, over: Partial<AlipayNotification> = {}) {
    return {
      kind: "agreement_signed",
      notifyId: `n-${Math.random()}`,
      appId: FAKE_APP_ID,
      agreementNo,
      externalAgreementNo,
      status: "NORMAL",
      alipayUserId: "2088000000000002",
      at: new Date("2026-11-30T03:59:00Z"),
      ...over,
    } as AlipayNotification;
  },
  unsigned(agreementNo: string, over: Partial<AlipayNotification> = {}) {
    return {
      kind: "agreement_unsigned",
      notifyId: `n-${Math.random()}`,
      appId: FAKE_APP_ID,
      agreementNo,
      externalAgreementNo: null,
      status: "UNSIGN",
      alipayUserId: "2088000000000002",
      at: new Date("2026-11-30T05:00:00Z"),
      ...over,
    } as AlipayNotification;
  },
  trade(outTradeNo: string, totalAmountFen: number, over: Record<string, unknown> = {}) {
    return {
      kind: "trade",
      notifyId: `n-${Math.random()}`,
      appId: FAKE_APP_ID,
      sellerId: FAKE_SELLER_ID,
      outTradeNo,
      tradeNo: `2026113022001${outTradeNo.slice(-10)}`,
      status: "TRADE_SUCCESS",
      totalAmountFen,
      refundFeeFen: null,
      outBizNo: null,
      buyerUserId: "2088000000000002",
      paidAt: new Date("2026-11-30T04:00:00Z"),
      ...over,
    } as AlipayNotification;
  },
};
