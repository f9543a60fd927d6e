import { describe, expect, it } from "vitest";
import { RETRY_SCHEDULE_SECONDS } from "@/lib/sandbox/youzan/retry";
import {
  APP,
  at,
  backgroundCollector,
  decodeForm,
  md5,
  type Received,
  START,
  withSandboxHarness,
} from "../helpers/sandbox-harness";

/*
 * The Youzan sandbox's push messages (spec §4, §6.3): bodies and signatures, the V2 legacy
 * messages, encodings, the duplicate/order/loss knobs, retries, heartbeats, and who delivers
 * (tick(), or a background scheduler the caller hands in).
 */

const h = withSandboxHarness();
const { advance, createQr } = h;
const types = () => h.types();

describe("push messages", () => {
  it("signs the exact body bytes (Event-Sign) and the encoded msg (sign); V3 create → paid → success", async () => {
    const qrId = await createQr();
    const { tid } = await h.sandbox.pay({ qrId });
    await h.sandbox.tick();
    expect(types()).toEqual(["trade_TradeCreate", "trade_TradePaid"]);
    advance(1);
    await h.sandbox.tick();
    expect(types()).toEqual(["trade_TradeCreate", "trade_TradePaid", "trade_TradeSuccess"]);

    for (const push of h.received) {
      expect(push.headers["event-sign"]).toBe(md5(APP.clientId, push.raw, APP.clientSecret));
      expect(push.headers["event-type"]).toBe(push.body.type);
      expect(push.headers["client-id"]).toBe(APP.clientId);
      expect(push.headers["content-type"]).toMatch(/^application\/json/);
      expect(push.body.sign).toBe(md5(APP.clientId, String(push.body.msg), APP.clientSecret));
      expect(push.body).toMatchObject({
        client_id: APP.clientId,
        id: tid,
        kdt_id: Number(APP.kdtId),
        root_kdt_id: Number(APP.kdtId),
        mode: 1,
        sendCount: 0,
        test: false,
      });
      expect(push.body.msg_id).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      );
      expect(typeof push.body.kdt_name).toBe("string");
    }
    const [create, paid, success] = h.received as [Received, Received, Received];
    expect(create.body.status).toBe("WAIT_BUYER_PAY");
    expect(paid.body.status).toBe("TRADE_PAID");
    expect(paid.body.version).toBe(START / 1000);
    expect(success.body.version).toBe(START / 1000 + 1);
    // 2021 form style: spaces are "+", ":" and "," are escaped.
    expect(String(paid.body.msg)).toContain("2026-03-01+10%3A00%3A00");
    expect(String(paid.body.msg)).not.toContain("%20");
    const detail = decodeForm(String(paid.body.msg));
    expect(at(detail, "qr_info.qr_id")).toBe(Number(qrId));
    expect(at(detail, "full_order_info.order_info")).toMatchObject({
      tid,
      status: "TRADE_PAID",
      pay_time: "2026-03-01 10:00:00",
    });
    expect(at(decodeForm(String(create.body.msg)), "full_order_info.order_info.status")).toBe(
      "WAIT_BUYER_PAY",
    );
    expect(decodeForm(String(success.body.msg))).toEqual({
      tid,
      update_time: "2026-03-01 10:00:01",
    });
    // A plain decodeURIComponent leaves the "+" in dates (the spec's trap).
    expect(
      at(
        JSON.parse(decodeURIComponent(String(paid.body.msg))),
        "full_order_info.order_info.pay_time",
      ),
    ).toBe("2026-03-01+10:00:00");
    const stats = await h.sandbox.stats();
    expect(stats.pushes.map((p) => p.status)).toEqual(["delivered", "delivered", "delivered"]);
  });

  it("msgEncoding uri: the 2018 encodeURI-like style; pushStatusStyle PAID", async () => {
    await h.sandbox.setFaults({ msgEncoding: "uri", pushStatusStyle: "PAID" });
    const qrId = await createQr();
    await h.sandbox.pay({ qrId });
    await h.sandbox.tick();
    const paid = h.received.find((push) => push.body.type === "trade_TradePaid")!;
    expect(paid.body.status).toBe("PAID");
    const msg = String(paid.body.msg);
    expect(msg).toMatch(/^%7B%22/);
    expect(msg).toContain("2026-03-01%2010:00:00");
    expect(msg).not.toContain("+");
    expect(at(JSON.parse(decodeURIComponent(msg)), "qr_info.qr_id")).toBe(Number(qrId));
    expect(paid.body.sign).toBe(md5(APP.clientId, msg, APP.clientSecret));
    expect(paid.headers["event-sign"]).toBe(md5(APP.clientId, paid.raw, APP.clientSecret));
  });

  it("subscription both: V2 TRADE_ORDER_STATE next to V3; v2 alone has no msg_id", async () => {
    await h.sandbox.setFaults({ subscription: "both" });
    const qrId = await createQr();
    const { tid } = await h.sandbox.pay({ qrId });
    advance(1);
    await h.sandbox.tick();
    expect(h.received.map((p) => `${p.body.type}/${p.body.status}`)).toEqual([
      "TRADE_ORDER_STATE/WAIT_BUYER_PAY",
      "trade_TradeCreate/WAIT_BUYER_PAY",
      "trade_TradePaid/TRADE_PAID",
      "TRADE_ORDER_STATE/TRADE_SUCCESS",
      "trade_TradeSuccess/TRADE_SUCCESS",
    ]);
    const v2 = h.received[3]!;
    expect(v2.body).not.toHaveProperty("msg_id");
    expect(decodeForm(String(v2.body.msg))).toEqual({
      tid,
      status: "TRADE_SUCCESS",
      payment: "9.90",
      update_time: "2026-03-01 10:00:01",
    });
    // V2 predates the header scheme: signed in the body only (see the next test).
    expect(v2.headers["event-sign"]).toBeUndefined();
    expect(v2.body.sign).toBe(md5(APP.clientId, String(v2.body.msg), APP.clientSecret));

    h.clearReceived();
    await h.sandbox.setFaults({ subscription: "v2" });
    await h.sandbox.pay({ qrId: await createQr() });
    advance(1);
    await h.sandbox.tick();
    expect(types()).toEqual(["TRADE_ORDER_STATE", "TRADE_ORDER_STATE"]);
  });

  it("V2 pushes are signed in the body only: no Event-Sign, Event-Type or Client-Id header, no root_kdt_id", async () => {
    await h.sandbox.setFaults({ subscription: "v2" });
    await h.sandbox.scan(await createQr());
    await h.sandbox.tick();
    const [v2] = h.received as [Received];
    expect(v2.body.type).toBe("TRADE_ORDER_STATE");
    expect(v2.headers["event-sign"]).toBeUndefined();
    expect(v2.headers["event-type"]).toBeUndefined();
    expect(v2.headers["client-id"]).toBeUndefined();
    expect(v2.headers["content-type"]).toMatch(/^application\/json/);
    expect(v2.body).not.toHaveProperty("root_kdt_id");
    // The legacy check a receiver falls back to: md5(client_id + msg as sent + secret).
    expect(v2.body.sign).toBe(md5(APP.clientId, String(v2.body.msg), APP.clientSecret));
  });

  it("pushDuplicates: the same msg_id again with a rising sendCount", async () => {
    await h.sandbox.setFaults({ pushDuplicates: 2 });
    const qrId = await createQr();
    await h.sandbox.scan(qrId);
    await h.sandbox.tick();
    expect(h.received).toHaveLength(3);
    expect(new Set(h.received.map((p) => p.body.msg_id)).size).toBe(1);
    expect(h.received.map((p) => p.body.sendCount)).toEqual([0, 1, 2]);
    for (const push of h.received) {
      expect(push.headers["event-sign"]).toBe(md5(APP.clientId, push.raw, APP.clientSecret));
    }
  });

  it("pushOutOfOrder: one trade's pushes arrive back to front", async () => {
    await h.sandbox.setFaults({ pushOutOfOrder: true });
    const qrId = await createQr();
    await h.sandbox.pay({ qrId });
    await h.sandbox.tick();
    // Due instants are kept (now, now, now + 1 s) but handed out back to front.
    expect(types()).toEqual(["trade_TradeSuccess", "trade_TradePaid"]);
    advance(1);
    await h.sandbox.tick();
    expect(types()).toEqual(["trade_TradeSuccess", "trade_TradePaid", "trade_TradeCreate"]);
    // Versions keep the event times: an older version arrives after a newer one.
    expect(h.received[0]!.body.version).toBeGreaterThan(Number(h.received[1]!.body.version));
  });

  it("pushLost: recorded as lost and never delivered", async () => {
    await h.sandbox.setFaults({ pushLost: true });
    await h.sandbox.pay({ qrId: await createQr() });
    advance(3600);
    await h.sandbox.tick();
    expect(h.received).toHaveLength(0);
    const { pushes } = await h.sandbox.stats();
    expect(pushes.map((p) => p.status)).toEqual(["lost", "lost", "lost"]);
  });
});

describe("push delivery and retries", () => {
  it("retries failures on the 16-step schedule with a stable msg_id, then dead-letters", async () => {
    h.setReply({ status: 500, body: "oops" });
    await h.sandbox.scan(await createQr());
    await h.sandbox.tick();
    expect(h.received).toHaveLength(1);
    const msgId = h.received[0]!.body.msg_id;
    // The unpaid trade also closes after 30 minutes; follow the create message only.
    const attempts = () => h.received.filter((push) => push.body.msg_id === msgId);

    expect(RETRY_SCHEDULE_SECONDS).toHaveLength(16);
    for (const [i, wait] of RETRY_SCHEDULE_SECONDS.entries()) {
      advance(wait - 1);
      await h.sandbox.tick();
      expect(attempts(), `before retry ${i + 1}`).toHaveLength(i + 1);
      advance(1);
      await h.sandbox.tick();
      expect(attempts(), `retry ${i + 1}`).toHaveLength(i + 2);
      const push = attempts()[i + 1]!;
      expect(push.body.sendCount).toBe(i + 1);
      expect(push.body.msg_id).toBe(msgId);
      expect(push.headers["event-sign"]).toBe(md5(APP.clientId, push.raw, APP.clientSecret));
    }
    const [row] = (await h.sandbox.stats()).pushes;
    expect(row).toMatchObject({ status: "dead", sendCount: 16, lastResult: "HTTP 500: oops" });
    advance(24 * 3600);
    await h.sandbox.tick();
    expect(attempts()).toHaveLength(17);
  });

  it("a 200 without 'success' in the body is a failure; a later success stops the retries", async () => {
    h.setReply({ status: 200, body: "ok" });
    await h.sandbox.scan(await createQr());
    expect(await h.sandbox.tick()).toMatchObject({ delivered: 0 });
    expect((await h.sandbox.stats()).pushes[0]).toMatchObject({
      status: "retrying",
      sendCount: 1,
    });
    h.setReply({});
    advance(10);
    expect(await h.sandbox.tick()).toMatchObject({ delivered: 1, failed: 0 });
    expect((await h.sandbox.stats()).pushes[0]).toMatchObject({
      status: "delivered",
      sendCount: 1,
    });
    advance(20 * 60);
    await h.sandbox.tick();
    expect(h.received).toHaveLength(2);
  });

  it("a receiver that does not answer within the timeout counts as failed", async () => {
    // The real limit is 5 s (retry.test.ts); a shorter one keeps this test off the wall clock.
    const sandbox = h.rebuild({ pushTimeoutMs: 30 });
    h.setReply({ delayMs: "never" });
    await sandbox.scan(await createQr());
    const result = await sandbox.tick();
    expect(result.delivered).toBe(0);
    expect(h.received).toHaveLength(1);
    expect((await sandbox.stats()).pushes[0]).toMatchObject({
      status: "retrying",
      lastResult: "timeout after 30 ms",
    });
  });

  it("an unreachable receiver is a failure, not a crash; setPushUrl redirects later attempts", async () => {
    await h.sandbox.setPushUrl("http://127.0.0.1:9/nothing-listens-here");
    await h.sandbox.scan(await createQr());
    expect(await h.sandbox.tick()).toMatchObject({ delivered: 0 });
    expect((await h.sandbox.stats()).pushes[0]?.lastResult).toMatch(/^network error/);
    await h.sandbox.setPushUrl(null);
    advance(10);
    expect(await h.sandbox.tick()).toMatchObject({ delivered: 1 });
    await expect(h.sandbox.setPushUrl("ftp://x")).rejects.toMatchObject({ status: 400 });
  });

  it("concurrent tick() calls (three instances) never deliver the same attempt twice", async () => {
    h.setReply({ status: 500, body: "down" });
    for (let i = 0; i < 8; i++)
      await h.sandbox.scan(
        await createQr({ qr_type: "QR_TYPE_DYNAMIC", qr_price: 100 + i, qr_name: `q${i}` }),
      );
    await h.sandbox.tick();
    expect(h.received).toHaveLength(8);
    h.clearReceived();
    h.setReply({ delayMs: 20 });
    advance(10);
    const other = h.another();
    const third = h.another();
    const results = await Promise.all([h.sandbox.tick(), other.tick(), third.tick()]);
    expect(results.reduce((sum, r) => sum + r.delivered, 0)).toBe(8);
    expect(h.received).toHaveLength(8);
    expect(new Set(h.received.map((p) => p.body.msg_id)).size).toBe(8);
    expect(h.received.every((p) => p.body.sendCount === 1)).toBe(true);
  });
});

describe("who delivers", () => {
  it("without a background scheduler, pay() only stores pushes; tick() delivers them", async () => {
    const qrId = await createQr();
    await h.sandbox.pay({ qrId });
    expect(h.received).toHaveLength(0);
    expect((await h.sandbox.stats()).pushes.map((p) => p.status)).toEqual([
      "pending",
      "pending",
      "pending",
    ]);
    expect(await h.sandbox.tick()).toMatchObject({ delivered: 2 });
  });

  it("pay() and scan() hand a delivery to the background scheduler; it delivers what is due", async () => {
    const background = backgroundCollector();
    const sandbox = h.rebuild({ background: background.schedule });
    const qrId = await createQr();
    await sandbox.pay({ qrId });
    expect(background.count).toBe(1);
    await background.drain();
    expect(types()).toEqual(["trade_TradeCreate", "trade_TradePaid"]);

    await sandbox.scan(await createQr());
    expect(background.count).toBe(1);
    await background.drain();
    expect(types()).toEqual(["trade_TradeCreate", "trade_TradePaid", "trade_TradeCreate"]);
    // The success push is due a second later: that is tick()'s job on the clock.
    expect(await sandbox.tick()).toMatchObject({ delivered: 0 });
    advance(1);
    expect(await sandbox.tick()).toMatchObject({ delivered: 1 });
  });

  it("a background delivery that fails leaves the push to its retries; the payer never sees it", async () => {
    const background = backgroundCollector();
    const sandbox = h.rebuild({
      background: background.schedule,
      fetch: () => Promise.reject(new Error("boom")),
    });
    await expect(sandbox.pay({ qrId: await createQr() })).resolves.toMatchObject({
      tid: expect.any(String),
    });
    await expect(background.drain()).resolves.toBeUndefined();
    expect((await sandbox.stats()).pushes[0]).toMatchObject({ status: "retrying" });
  });
});

describe("heartbeats (spec §4.6, §6.4.7)", () => {
  it('sends {"test":true} and nothing else, unsigned, and lists it with the pushes', async () => {
    expect(await h.sandbox.heartbeat()).toEqual({
      delivered: true,
      result: 'HTTP 200: {"code":0,"msg":"success"}',
    });
    const [beat] = h.received as [Received];
    expect(beat.raw.toString("utf8")).toBe('{"test":true}');
    expect(beat.headers["content-type"]).toMatch(/^application\/json/);
    expect(beat.headers["event-sign"]).toBeUndefined();
    const { pushes } = await h.sandbox.stats();
    expect(pushes).toEqual([
      expect.objectContaining({ type: "heartbeat", status: "delivered", tid: null, msgId: null }),
    ]);
  });

  it("a failed heartbeat is reported and not retried", async () => {
    h.setReply({ status: 503, body: "down" });
    expect(await h.sandbox.heartbeat()).toEqual({ delivered: false, result: "HTTP 503: down" });
    advance(3600);
    expect(await h.sandbox.tick()).toMatchObject({ delivered: 0, failed: 0 });
    expect(h.received).toHaveLength(1);
    expect((await h.sandbox.stats()).pushes[0]).toMatchObject({ status: "dead" });
  });
});
