import { TestAlipayClient } from "./alipay-sandbox-client";
import { describe, expect, it } from "vitest";
import { withTestDatabase } from "../helpers/db";

/*
 * The Alipay sandbox's HTTP routes as mounted in the app (the app's sandbox: shared clock, the
 * shop's app gateway), called as plain functions: the gateway, the page.sign redirect, and the
 * control API with its 4xx answers for bad input.
 */

withTestDatabase();

const local = "http://localhost:3000";
const post = (path: string, body: unknown, contentType = "application/json") =>
  new Request(`${local}${path}`, {
    method: "POST",
    headers: { "content-type": contentType },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
const get = (path: string) => new Request(`${local}${path}`);
type R = Record<string, unknown>;

describe("Alipay sandbox routes", () => {
  it("keys, gateway, page.sign redirect, sign, pause, balance, unsign, stats, reset", async () => {
    const keysRoute = await import("@/app/sandbox/alipay/control/keys/route");
    const gatewayRoute = await import("@/app/sandbox/alipay/gateway.do/route");
    const signRoute = await import("@/app/sandbox/alipay/control/sign/route");
    const pauseRoute = await import("@/app/sandbox/alipay/control/pause/route");
    const balanceRoute = await import("@/app/sandbox/alipay/control/balance/route");
    const unsignRoute = await import("@/app/sandbox/alipay/control/unsign/route");
    const statsRoute = await import("@/app/sandbox/alipay/control/stats/route");
    const gatewayUrlRoute = await import("@/app/sandbox/alipay/control/gateway-url/route");
    const walletRoute = await import("@/app/sandbox/alipay/control/wallet/route");
    const resetRoute = await import("@/app/sandbox/alipay/control/reset/route");
    const { ensureSandboxAlipayKeys } = await import("@/db/queries/sandbox-alipay-keys");
    const { getDb } = await import("@/db");

    const keys = (await (await keysRoute.GET(get("/k"), undefined)).json()) as R;
    expect(keys).toMatchObject({ appId: "2021000000000001", sellerId: "2088000000000001" });
    expect(String(keys.alipayPublicKey)).toContain("BEGIN PUBLIC KEY");
    expect(JSON.stringify(keys)).not.toContain("PRIVATE");
    const secret = await ensureSandboxAlipayKeys(await getDb());
    const sdk = new TestAlipayClient({
      appId: secret.appId,
      privateKey: secret.appPrivateKeyPem,
      alipayPublicKey: String(keys.alipayPublicKey),
      gateway: `${local}/sandbox/alipay/gateway.do`,
    });

    // Keep notifications of this test away from a real local shop.
    expect(
      (await gatewayUrlRoute.POST(post("/x", { url: "http://127.0.0.1:9/none" }), undefined))
        .status,
    ).toBe(200);
    expect((await gatewayUrlRoute.POST(post("/x", { url: "ftp://x" }), undefined)).status).toBe(
      422,
    );

    // A signed request straight to the route module.
    const url = sdk.pageExecute("alipay.trade.query", "GET", { bizContent: { out_trade_no: "T" } });
    const answer = await gatewayRoute.POST(new Request(url, { method: "POST" }), undefined);
    expect(answer.headers.get("content-type")).toBe("text/html;charset=utf-8");
    expect(await answer.text()).toMatch(
      /^\{"alipay_trade_query_response":\{.*"ACQ\.TRADE_NOT_EXIST".*\},"sign":"/,
    );

    // A browser opening a page.sign URL lands on the sign page with the same query.
    const signUrl = sdk.pageExecute("alipay.user.agreement.page.sign", "GET", {
      bizContent: {
        personal_product_code: "CYCLE_PAY_AUTH_P",
        access_params: { channel: "ALIPAYAPP" },
        period_rule_params: {
          period_type: "DAY",
          period: 7,
          execute_time: "2026-12-01",
          single_amount: "9.90",
        },
      },
    });
    const opened = await gatewayRoute.GET(new Request(signUrl), undefined);
    expect(opened.status).toBe(303);
    const location = new URL(opened.headers.get("location") ?? "", local);
    expect(location.pathname).toBe("/sandbox/alipay/sign");
    expect(Object.fromEntries(location.searchParams)).toEqual(
      Object.fromEntries(new URL(signUrl).searchParams),
    );
    // The auto-submitted POST form of pageExecute(…, 'POST') lands there too.
    const form = await gatewayRoute.POST(
      post(
        "/sandbox/alipay/gateway.do",
        new URL(signUrl).search.slice(1),
        "application/x-www-form-urlencoded",
      ),
      undefined,
    );
    expect(form.status).toBe(303);

    const signed = await signRoute.POST(post("/x", { signUrl }), undefined);
    const { agreementNo } = (await signed.json()) as { agreementNo: string };
    expect(agreementNo).toMatch(/^\d{20}$/);
    const tampered = await signRoute.POST(
      post("/x", { signUrl: signUrl.replace("9.90", "0.01") }),
      undefined,
    );
    expect(tampered.status).toBe(400);
    expect(((await tampered.json()) as { error: { message: string } }).error.message).toContain(
      "isv.invalid-signature",
    );

    expect(
      (await pauseRoute.POST(post("/x", { agreementNo, paused: true }), undefined)).status,
    ).toBe(200);
    expect(
      (await pauseRoute.POST(post("/x", { agreementNo: "1", paused: true }), undefined)).status,
    ).toBe(422);
    expect(
      (
        await pauseRoute.POST(
          post("/x", { agreementNo: "12345678901234567890", paused: true }),
          undefined,
        )
      ).status,
    ).toBe(404);
    expect((await balanceRoute.POST(post("/x", { agreementNo, fen: 500 }), undefined)).status).toBe(
      200,
    );
    expect((await balanceRoute.POST(post("/x", { fen: -1 }), undefined)).status).toBe(422);
    expect(
      (await balanceRoute.POST(post("/x", "fen=1", "application/x-www-form-urlencoded"), undefined))
        .status,
    ).toBe(415);
    const wallet = (await (await walletRoute.GET(get("/w"), undefined)).json()) as R;
    expect(wallet).toMatchObject({
      balanceFen: 500,
      agreements: [{ agreementNo, status: "STOP" }],
    });

    expect((await unsignRoute.POST(post("/x", { agreementNo }), undefined)).status).toBe(200);
    expect((await unsignRoute.POST(post("/x", { agreementNo }), undefined)).status).toBe(409);
    const stats = (await (await statsRoute.GET(get("/s"), undefined)).json()) as R;
    expect(stats.calls).toEqual({ "alipay.trade.query": 1 });
    expect((stats.notifications as R[]).map((n) => n.notifyType)).toEqual([
      "dut_user_sign",
      "dut_user_unsign",
    ]);
    expect((await resetRoute.POST(post("/x", {}), undefined)).status).toBe(200);
    expect(((await (await statsRoute.GET(get("/s"), undefined)).json()) as R).calls).toEqual({});
  });

  it("faults and app-pay refuse bad input with a reason", async () => {
    const faultsRoute = await import("@/app/sandbox/alipay/control/faults/route");
    const appPayRoute = await import("@/app/sandbox/alipay/control/app-pay/route");
    const tickRoute = await import("@/app/sandbox/alipay/control/tick/route");
    const bad = await faultsRoute.POST(post("/x", { nope: 1 }), undefined);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain("nope");
    expect(
      (
        await faultsRoute.POST(
          post("/x", { inject: { method: "alipay.trade.pay", kind: "boom" } }),
          undefined,
        )
      ).status,
    ).toBe(400);
    const ok = await faultsRoute.POST(
      post("/x", {
        windowDays: 3,
        inject: { method: "alipay.trade.pay", kind: "system_error", committed: true },
      }),
      undefined,
    );
    expect(await ok.json()).toMatchObject({
      windowDays: 3,
      injections: { "alipay.trade.pay": { kind: "system_error", remaining: 1, committed: true } },
    });
    expect(
      (await appPayRoute.POST(post("/x", { orderStr: "a=b", action: "steal" }), undefined)).status,
    ).toBe(422);
    expect(
      (await appPayRoute.POST(post("/x", { orderStr: "a=b", action: "pay_only" }), undefined))
        .status,
    ).toBe(400);
    expect(await (await tickRoute.POST(post("/x", {}), undefined)).json()).toEqual({
      delivered: 0,
      failed: 0,
      closed: 0,
    });
  });
});
