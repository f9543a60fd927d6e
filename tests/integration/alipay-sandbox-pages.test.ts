import { beforeEach, describe, expect, it } from "vitest";
import type { Clock } from "@/lib/clock";
import { createAlipaySandbox, type AlipaySandbox } from "@/lib/sandbox/alipay";
import {
  loadAppPage,
  loadSignPage,
  loadWallet,
  submitAppForm,
  submitSignForm,
  submitWalletForm,
} from "@/lib/sandbox/alipay/pages";
import { withTestDatabase } from "../helpers/db";
import { TestAlipayClient } from "./alipay-sandbox-client";

/*
 * The human pages as data (lib/sandbox/alipay/pages.ts): what the sign page, the "pay and sign"
 * page and the wallet show for a query, and where their buttons lead.
 */

const t = withTestDatabase();
const clock: Clock = { now: async () => new Date("2026-03-01T02:00:00.000Z") };
let sandbox: AlipaySandbox;

beforeEach(async () => {
  sandbox = await createAlipaySandbox({ db: t.db(), clock, appGatewayUrl: "http://127.0.0.1:9/x" });
});

const client = () =>
  new TestAlipayClient({
    appId: sandbox.keys.appId,
    privateKey: sandbox.keys.appPrivateKeyPem,
    gateway: "http://localhost:3000/sandbox/alipay/gateway.do",
  });
const rules = {
  personal_product_code: "CYCLE_PAY_AUTH_P",
  access_params: { channel: "ALIPAYAPP" },
  period_rule_params: {
    period_type: "MONTH",
    period: 1,
    execute_time: "2026-04-01",
    single_amount: "19.90",
  },
};
const queryOf = (url: string) => Object.fromEntries(new URL(url).searchParams);
const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.set(key, value);
  return data;
};

describe("sign page", () => {
  it("shows the terms of a page.sign URL, signs with 签约, and reports a bad link", async () => {
    const url = client().pageExecute("alipay.user.agreement.page.sign", "GET", {
      bizContent: rules,
    });
    const view = loadSignPage(sandbox, queryOf(url));
    expect(view).toMatchObject({
      kind: "form",
      terms: {
        periodType: "MONTH",
        period: 1,
        singleAmountFen: 1990,
        firstDeductDate: "2026-04-01",
      },
    });
    if (view.kind !== "form") throw new Error("form expected");
    const next = await submitSignForm(sandbox, form({ sign_url: view.signUrl, action: "sign" }));
    expect(next).toMatch(/^\/sandbox\/alipay\/sign\?done=\d{20}$/);
    expect(loadSignPage(sandbox, { done: next.slice(-20) })).toEqual({
      kind: "signed",
      agreementNo: next.slice(-20),
    });
    expect(await submitSignForm(sandbox, form({ sign_url: view.signUrl, action: "cancel" }))).toBe(
      "/sandbox/alipay/sign?cancelled=1",
    );
    const tampered = { ...queryOf(url), sign: "AAAA" };
    expect(loadSignPage(sandbox, tampered)).toMatchObject({
      kind: "invalid",
      reason: expect.stringContaining("isv.invalid-signature") as unknown,
    });
    expect(loadSignPage(sandbox, {})).toMatchObject({ kind: "invalid" });
  });
});

describe("pay and sign page, wallet", () => {
  it("pays with the box ticked (pay and sign), then the wallet pauses, resumes and unsigns", async () => {
    const orderStr = client().sdkExecute("alipay.trade.app.pay", {
      bizContent: {
        out_trade_no: "W1",
        total_amount: "19.90",
        subject: "会员",
        product_code: "CYCLE_PAY_AUTH",
        agreement_sign_params: { ...rules, sign_scene: "INDUSTRY|DIGITAL_MEDIA" },
      },
    });
    expect(loadAppPage(sandbox, {})).toEqual({ kind: "paste" });
    expect(loadAppPage(sandbox, { orderStr })).toMatchObject({
      kind: "form",
      outTradeNo: "W1",
      totalFen: 1990,
      terms: { singleAmountFen: 1990 },
      termsError: null,
    });
    expect(loadAppPage(sandbox, { orderStr: "a=b" })).toMatchObject({ kind: "invalid" });
    const next = await submitAppForm(
      sandbox,
      form({ order_str: orderStr, action: "pay", agree: "on" }),
    );
    const result = loadAppPage(sandbox, queryOf(`http://x${next}`));
    expect(result).toMatchObject({ kind: "result", resultStatus: "9000", signError: null });
    if (result.kind !== "result") throw new Error("result expected");
    const agreementNo = result.agreementNo as string;
    expect(agreementNo).toMatch(/^\d{20}$/);

    const wallet = () => loadWallet(sandbox, {});
    expect((await wallet()).balanceFen).toBe(100_000_00 - 1990);
    await submitWalletForm(sandbox, form({ action: "pause", agreement_no: agreementNo }));
    expect((await wallet()).agreements[0]?.status).toBe("STOP");
    await submitWalletForm(sandbox, form({ action: "resume", agreement_no: agreementNo }));
    expect((await wallet()).agreements[0]?.status).toBe("NORMAL");
    await submitWalletForm(sandbox, form({ action: "balance", balance: "12.5" }));
    expect((await wallet()).balanceFen).toBe(1250);
    expect(await submitWalletForm(sandbox, form({ action: "balance", balance: "x" }))).toBe(
      "/sandbox/alipay/wallet?failed=balance",
    );
    await submitWalletForm(sandbox, form({ action: "unsign", agreement_no: agreementNo }));
    expect((await wallet()).agreements[0]?.status).toBe("UNSIGN");
    expect(
      await submitWalletForm(sandbox, form({ action: "unsign", agreement_no: agreementNo })),
    ).toMatch(/^\/sandbox\/alipay\/wallet\?failed=/);
  });
});
