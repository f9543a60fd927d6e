import { describe, expect, it } from "vitest";
import { at, type Json, withSandboxHarness } from "../helpers/sandbox-harness";

/*
 * The Youzan sandbox's HTTP routes under /sandbox, as mounted in the app: the app's sandbox
 * (env credentials, the shared clock) behind the token, gateway and control routes, and the
 * shared clock route. Called as plain functions, outside a Next request scope, so no delivery
 * runs in the background: the tick route delivers.
 */

const h = withSandboxHarness();

const local = "http://localhost:3000";
const jsonPost = (path: string, body: unknown, contentType = "application/json") =>
  new Request(`${local}${path}`, {
    method: "POST",
    headers: { "content-type": contentType },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
const errorCode = async (response: Response) =>
  ((await response.json()) as { error: { code: string; message: string } }).error.code;

describe("HTTP routes under /sandbox (as mounted in the app)", () => {
  it("token, gateway and control routes work end to end and refuse bad input with a 4xx", async () => {
    const { SANDBOX_YOUZAN_APP } = await import("@/lib/env");
    const tokenRoute = await import("@/app/sandbox/youzan/auth/token/route");
    const apiRoute = await import("@/app/sandbox/youzan/api/[...path]/route");
    const payRoute = await import("@/app/sandbox/youzan/control/pay/route");
    const scanRoute = await import("@/app/sandbox/youzan/control/scan/route");
    const faultsRoute = await import("@/app/sandbox/youzan/control/faults/route");
    const pushUrlRoute = await import("@/app/sandbox/youzan/control/push-url/route");
    const tickRoute = await import("@/app/sandbox/youzan/control/tick/route");
    const statsRoute = await import("@/app/sandbox/youzan/control/stats/route");
    const revokeRoute = await import("@/app/sandbox/youzan/control/revoke-tokens/route");
    const resetRoute = await import("@/app/sandbox/youzan/control/reset/route");

    // Pushes of this test go to the test receiver, never to a real local shop.
    const setUrl = await pushUrlRoute.POST(
      jsonPost("/sandbox/youzan/control/push-url", { url: h.pushUrl }),
      undefined,
    );
    expect(setUrl.status).toBe(200);
    expect((await pushUrlRoute.POST(jsonPost("/x", { url: "not a url" }), undefined)).status).toBe(
      422,
    );
    expect(
      (await pushUrlRoute.POST(jsonPost("/x", { url: "javascript:alert(1)" }), undefined)).status,
    ).toBe(422);

    const tokenResponse = await tokenRoute.POST(
      jsonPost("/sandbox/youzan/auth/token", {
        client_id: SANDBOX_YOUZAN_APP.clientId,
        client_secret: SANDBOX_YOUZAN_APP.clientSecret,
        authorize_type: "silent",
        grant_id: Number(SANDBOX_YOUZAN_APP.kdtId),
      }),
      undefined,
    );
    const token = at(await tokenResponse.json(), "data.access_token") as string;
    const created = await apiRoute.POST(
      jsonPost(`/sandbox/youzan/api/youzan.pay.qrcode.create/3.0.0?access_token=${token}`, {
        qr_type: "QR_TYPE_DYNAMIC",
        qr_price: 990,
        qr_name: "会员",
      }),
      { params: Promise.resolve({ path: ["youzan.pay.qrcode.create", "3.0.0"] }) },
    );
    const createdJson = (await created.json()) as Json;
    const qrId = String(at(createdJson, "response.qr_id"));
    expect(at(createdJson, "response.qr_url")).toBe(`${local}/sandbox/youzan/pay?qr_id=${qrId}`);

    const paid = await payRoute.POST(jsonPost("/x", { qrId }), undefined);
    expect(paid.status).toBe(200);
    const { tid } = (await paid.json()) as { tid: string };
    expect(tid).toMatch(/^E\d{23}$/);
    const again = await payRoute.POST(jsonPost("/x", { qrId }), undefined);
    expect([again.status, await errorCode(again)]).toEqual([409, "conflict"]);

    const viaGet = await apiRoute.GET(
      new Request(
        `${local}/sandbox/youzan/api/youzan.trades.qr.get/3.0.0?access_token=${token}&qr_id=${qrId}`,
      ),
      { params: Promise.resolve({ path: ["youzan.trades.qr.get", "3.0.0"] }) },
    );
    expect(at(await viaGet.json(), "response.qr_trades.0.tid")).toBe(tid);

    // Outside a request scope the pay route started nothing in the background.
    expect(h.received).toHaveLength(0);
    await tickRoute.POST(jsonPost("/x", {}), undefined);
    expect(h.received.map((p) => p.body.type)).toContain("trade_TradePaid");
    const stats = (await (
      await statsRoute.GET(new Request(`${local}/x`), undefined)
    ).json()) as Json;
    expect(stats.apiCallsByQr).toEqual({ [qrId]: 1 });

    const bad: [Response, number, string][] = [
      [await payRoute.POST(jsonPost("/x", { qrId: "abc" }), undefined), 422, "validation_failed"],
      [
        await payRoute.POST(jsonPost("/x", { qrId, amountFen: 1.5 }), undefined),
        422,
        "validation_failed",
      ],
      [
        await payRoute.POST(jsonPost("/x", { qrId, extra: 1 }), undefined),
        422,
        "validation_failed",
      ],
      [await payRoute.POST(jsonPost("/x", "{nope"), undefined), 400, "bad_request"],
      [
        await payRoute.POST(jsonPost("/x", "qrId=1", "text/plain"), undefined),
        415,
        "unsupported_media_type",
      ],
      [await scanRoute.POST(jsonPost("/x", { qrId: "999" }), undefined), 404, "not_found"],
      [await faultsRoute.POST(jsonPost("/x", { bogus: true }), undefined), 400, "bad_request"],
      [await faultsRoute.POST(jsonPost("/x", { slowMs: "fast" }), undefined), 400, "bad_request"],
      [await faultsRoute.POST(jsonPost("/x", [1]), undefined), 400, "bad_request"],
      [
        await faultsRoute.POST(jsonPost("/x", { deniedApis: ["youzan.nope"] }), undefined),
        400,
        "bad_request",
      ],
    ];
    for (const [response, status, code] of bad) {
      expect([response.status, await errorCode(response)]).toEqual([status, code]);
    }

    const faults = await faultsRoute.POST(jsonPost("/x", { pushDuplicates: 1 }), undefined);
    expect(at(await faults.json(), "pushDuplicates")).toBe(1);
    expect(
      ((await (await faultsRoute.GET(new Request(`${local}/x`), undefined)).json()) as Json)
        .pushDuplicates,
    ).toBe(1);

    expect((await revokeRoute.POST(jsonPost("/x", {}), undefined)).status).toBe(200);
    const revoked = await apiRoute.POST(
      jsonPost(`/sandbox/youzan/api/youzan.trades.qr.get/3.0.0?access_token=${token}`, {}),
      { params: Promise.resolve({ path: ["youzan.trades.qr.get", "3.0.0"] }) },
    );
    expect(at(await revoked.json(), "gw_err_resp.err_code")).toBe(4203);

    expect((await resetRoute.POST(jsonPost("/x", {}), undefined)).status).toBe(200);
    const empty = (await (
      await statsRoute.GET(new Request(`${local}/x`), undefined)
    ).json()) as Json;
    expect(empty.pushes).toEqual([]);
  });

  it('POST control/heartbeat sends {"test":true} to the push URL and reports the answer', async () => {
    const pushUrlRoute = await import("@/app/sandbox/youzan/control/push-url/route");
    const heartbeatRoute = await import("@/app/sandbox/youzan/control/heartbeat/route");
    await pushUrlRoute.POST(jsonPost("/x", { url: h.pushUrl }), undefined);
    const response = await heartbeatRoute.POST(jsonPost("/x", {}), undefined);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      delivered: true,
      result: 'HTTP 200: {"code":0,"msg":"success"}',
    });
    expect(h.received.map((push) => push.raw.toString("utf8"))).toEqual(['{"test":true}']);
  });

  it("the shared clock: GET reads it, POST moves it forward only", async () => {
    const clockRoute = await import("@/app/sandbox/control/clock/route");
    const read = (await (
      await clockRoute.GET(new Request("http://localhost/x"), undefined)
    ).json()) as Json;
    expect(read.offsetMs).toBe(0);
    const moved = await clockRoute.POST(jsonPost("/x", { advanceSeconds: 90 }), undefined);
    const movedJson = (await moved.json()) as Json;
    expect(movedJson.offsetMs).toBe(90_000);
    expect(Date.parse(String(movedJson.now)) - Date.now()).toBeGreaterThan(85_000);
    for (const body of [
      { advanceSeconds: -1 },
      { advanceSeconds: "60" },
      {},
      { advanceSeconds: 1, x: 1 },
    ]) {
      const response = await clockRoute.POST(jsonPost("/x", body), undefined);
      expect([response.status, await errorCode(response)]).toEqual([422, "validation_failed"]);
    }
  });
});
