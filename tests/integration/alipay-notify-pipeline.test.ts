import { createSign, generateKeyPairSync, randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agreements, entitlements, orders, payments, webhookInbox } from "@/db/schema";
import { startAppPay } from "@/lib/subscriptions/start";
import { recordDelivery } from "@/lib/webhooks/inbox";
import { replayInbox } from "@/lib/webhooks/replay";
import { alipayTestbed, type AlipayTestbed } from "../helpers/alipay-testbed";
import { seed, withTestDatabase } from "../helpers/db";
import { makeUser } from "../helpers/factories";
import { startTestServer } from "../helpers/http-server";

/*
 * Alipay notifications through the house pipeline (handleAlipayNotify: verify → inbox → apply →
 * `success`) over real HTTP to the shop's three routes, with form bodies built here and signed
 * with the sandbox's Alipay private key (node:crypto: spec §3.3, all fields but sign and
 * sign_type, sorted, raw values). What the shop checks before anything changes, forged and
 * malformed deliveries, redeliveries by notify_id, late trade states and agreement notices.
 */

const t = withTestDatabase();
const SANDBOX_BUYER = "2088102000000001";
const TRADE_NO = "2026120122001400000000000001";

let bed: AlipayTestbed;
let buyer: string;
let orderNo: string;

beforeEach(async () => {
  await seed(t.db());
  bed = await alipayTestbed(t.db());
  buyer = (await makeUser(t.db())).id;
  ({ orderNo } = await startAppPay(bed.deps, { userId: buyer, productSlug: "membership-weekly" }));
});

afterEach(async () => {
  await bed.close();
});

type Fields = Record<string, string>;
type Destination = "trade" | "agreement" | "gateway";

/** `yyyy-MM-dd HH:mm:ss` in GMT+8, as Alipay writes every time. */
const alipayTime = (at = Date.now()) =>
  new Date(at + 8 * 3_600_000).toISOString().slice(0, 19).replace("T", " ");

/** The protocol fields the sandbox adds to every notification (lib/sandbox/alipay/notify.ts). */
function envelope(notifyType: string): Fields {
  return {
    notify_type: notifyType,
    notify_id: randomBytes(16).toString("hex"),
    notify_time: alipayTime(),
    app_id: bed.sandbox.keys.appId,
    auth_app_id: bed.sandbox.keys.appId,
    charset: "utf-8",
    version: "1.0",
    sign_type: "RSA2",
  };
}

/** A `trade_status_sync` with the field set of the sandbox's (tradeNotifyFields). */
function tradeNote(patch: Partial<Fields> = {}): Fields {
  const now = alipayTime();
  return withoutEmpty({
    ...envelope("trade_status_sync"),
    trade_no: TRADE_NO,
    out_trade_no: orderNo,
    buyer_id: SANDBOX_BUYER,
    buyer_logon_id: "xia***@sandbox.com",
    seller_id: bed.deps.alipay.sellerId ?? "",
    trade_status: "TRADE_SUCCESS",
    total_amount: "9.90",
    receipt_amount: "9.90",
    invoice_amount: "9.90",
    buyer_pay_amount: "9.90",
    point_amount: "0.00",
    // Raw values are signed and verified as sent: a `%` or `+` is not decoded twice.
    subject: "周会员 100% +1",
    gmt_create: now,
    gmt_payment: now,
    fund_bill_list: JSON.stringify([{ amount: "9.90", fundChannel: "ALIPAYACCOUNT" }]),
    ...patch,
  });
}

/** `dut_user_sign` / `dut_user_unsign` (agreementFields + status and time). */
function agreementNote(
  type: "dut_user_sign" | "dut_user_unsign",
  numbers: { agreementNo: string; externalAgreementNo: string },
): Fields {
  const now = alipayTime();
  return {
    ...envelope(type),
    agreement_no: numbers.agreementNo,
    external_agreement_no: numbers.externalAgreementNo,
    personal_product_code: "CYCLE_PAY_AUTH_P",
    sign_scene: "INDUSTRY|DIGITAL_MEDIA",
    alipay_user_id: SANDBOX_BUYER,
    alipay_logon_id: "xia***@sandbox.com",
    ...(type === "dut_user_sign"
      ? { status: "NORMAL", sign_time: now, valid_time: now, invalid_time: "2115-02-01 00:00:00" }
      : { status: "UNSIGN", unsign_time: now }),
  };
}

function withoutEmpty(fields: Partial<Fields>): Fields {
  return Object.fromEntries(
    Object.entries(fields).filter((entry): entry is [string, string] => !!entry[1]),
  );
}

function signed(fields: Fields, privateKeyPem = bed.sandbox.keys.alipayPrivateKeyPem): Fields {
  const content = Object.keys(fields)
    .filter((key) => key !== "sign" && key !== "sign_type")
    .sort()
    .map((key) => `${key}=${fields[key]}`)
    .join("&");
  const sign = createSign("RSA-SHA256").update(content, "utf8").sign(privateKeyPem, "base64");
  return { ...fields, sign };
}

async function post(destination: Destination, body: string | Fields) {
  const response = await fetch(`${bed.server.url}/api/webhooks/alipay/${destination}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body: typeof body === "string" ? body : new URLSearchParams(body).toString(),
  });
  return { status: response.status, body: await response.text() };
}

const ACK = { status: 200, body: "success" };
const FAIL = { status: 400, body: "fail" };

async function inboxRow(fields: Fields) {
  const rows = await t
    .db()
    .select()
    .from(webhookInbox)
    .where(eq(webhookInbox.eventKey, `alipay:${fields.notify_id}`));
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

async function world() {
  const db = t.db();
  const [order] = await db.select().from(orders).where(eq(orders.orderNo, orderNo));
  return {
    order: order!,
    payments: await db.$count(payments),
    grants: await db.select().from(entitlements).where(eq(entitlements.userId, buyer)),
    agreement: (await db.select().from(agreements).where(eq(agreements.userId, buyer)))[0]!,
  };
}

async function expectUnchanged() {
  const w = await world();
  expect(w.order.status).toBe("pending");
  expect(w.payments).toBe(0);
  expect(w.grants).toEqual([]);
  expect(w.agreement.status).toBe("pending_sign");
}

describe("what the shop checks before anything changes", () => {
  it("wrong amount, foreign app or seller, unknown out_trade_no: acknowledged, nothing changes, the row says why", async () => {
    const cases: [Partial<Fields>, string][] = [
      [{ total_amount: "0.01" }, "amount_mismatch: received ¥0.01, expected ¥9.90"],
      [{ total_amount: "99.00" }, "amount_mismatch: received ¥99.00, expected ¥9.90"],
      [{ app_id: "2021999999999999" }, "foreign_app"],
      [{ seller_id: "2088999999999999" }, "foreign_seller"],
      [{ out_trade_no: "XP20261201NOSUCHORDER" }, "unknown_order"],
    ];
    for (const [patch, outcome] of cases) {
      const note = signed(tradeNote(patch));
      // Signed by Alipay, so refusing it would only bring it back for 25 hours.
      expect(await post("trade", note)).toEqual(ACK);
      expect(await inboxRow(note)).toMatchObject({
        provider: "alipay",
        eventType: "trade:trade_status_sync",
        signatureValid: true,
        status: "ignored",
        outcome,
        attempts: 1,
        deliveries: 1,
      });
      await expectUnchanged();
    }

    const good = signed(tradeNote());
    expect(await post("trade", good)).toEqual(ACK);
    expect(await inboxRow(good)).toMatchObject({ status: "processed", outcome: "settled" });
    const w = await world();
    expect(w.order.status).toBe("paid");
    expect(w.payments).toBe(1);
    expect(w.grants).toHaveLength(1);
  });
});

describe("forged and malformed deliveries", () => {
  it("a bad signature is refused with 400 `fail`, kept as rejected, and changes nothing", async () => {
    const otherKey = generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    const tampered = signed(tradeNote());
    tampered.total_amount = "0.01";
    const forgeries: Fields[] = [
      signed(tradeNote(), otherKey),
      tampered,
      { ...signed(tradeNote()), out_trade_no: "XP20261201OTHERORDER1" },
      { ...signed(tradeNote()), sign: "bm90IGEgc2lnbmF0dXJl" },
    ];
    for (const forged of forgeries) {
      expect(await post("trade", forged)).toEqual(FAIL);
    }
    const rows = await t.db().select().from(webhookInbox);
    expect(rows).toHaveLength(forgeries.length);
    for (const row of rows) {
      expect(row).toMatchObject({
        status: "rejected",
        signatureValid: false,
        outcome: "bad_signature",
        eventKey: null,
        eventType: "trade:trade_status_sync",
      });
    }
    await expectUnchanged();
  });

  it("missing notify_id or sign, empty, garbage and oversize bodies: 4xx, never a 500, nothing changes", async () => {
    const { notify_id: _id, ...noNotifyId } = signed(tradeNote());
    const { sign: _sign, ...noSign } = signed(tradeNote());
    const cases: [string | Fields, string][] = [
      [noNotifyId, "malformed: no notify_id"],
      [noSign, "malformed: no sign"],
      ["", "malformed: no notify_id"],
      ["%%%&&==&\u0000\uFFFF%E0%A4%A", "malformed: no notify_id"],
      ['{"notify_id":"1","sign":"x"}', "malformed: no notify_id"],
      ["notify_id=&sign=", "malformed: no notify_id"],
      ["notify_id=abc&sign=%ZZ&__proto__=x", "bad_signature"],
      [`notify_type=trade_status_sync&pad=${"x".repeat(70 * 1024)}`, "malformed: no notify_id"],
    ];
    for (const [body, outcome] of cases) {
      const reply = await post("gateway", body);
      expect(reply, JSON.stringify(outcome)).toEqual(FAIL);
    }
    const rows = await t.db().select().from(webhookInbox).orderBy(webhookInbox.receivedAt);
    expect(rows.map((row) => row.outcome).sort()).toEqual(cases.map(([, o]) => o).sort());
    expect(rows.every((row) => row.status === "rejected" && !row.signatureValid)).toBe(true);
    // Rejected deliveries are kept in part: the first KiB, with the size and hash of the whole.
    const big = rows.find((row) => (row.bodyBytes ?? 0) > 64 * 1024)!;
    expect(Buffer.byteLength(big.body)).toBeLessThanOrEqual(1024);
    expect(big.bodySha256).toMatch(/^[0-9a-f]{64}$/);
    await expectUnchanged();

    // The app's own route caps the body before anything is read or stored: 413.
    const { POST } = await import("@/app/api/webhooks/alipay/trade/route");
    const app = await startTestServer(() => (request) => POST(request, undefined as never));
    try {
      const note = signed(tradeNote({ subject: "x".repeat(65 * 1024) }));
      const response = await fetch(app.url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(note).toString(),
      });
      expect(response.status).toBe(413);
    } finally {
      await app.close();
    }
    expect(await t.db().$count(webhookInbox)).toBe(cases.length);
    await expectUnchanged();
  });
});

describe("redelivery by notify_id", () => {
  it("3 times in turn, then 5 at once: every reply `success`, one row counting 8, one payment, one grant", async () => {
    const note = signed(tradeNote());
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push(await post("trade", note));
    replies.push(...(await Promise.all(Array.from({ length: 5 }, () => post("trade", note)))));
    expect(replies).toEqual(replies.map(() => ACK));
    expect(await inboxRow(note)).toMatchObject({
      status: "processed",
      outcome: "settled",
      deliveries: 8,
      attempts: 1,
    });
    const w = await world();
    expect(w.order.status).toBe("paid");
    expect(w.payments).toBe(1);
    expect(w.grants).toHaveLength(1);
  });

  it("a first delivery arriving 5 times at once: one row counting 5, still one payment and one grant", async () => {
    const note = signed(tradeNote());
    const replies = await Promise.all(Array.from({ length: 5 }, () => post("trade", note)));
    expect(replies).toEqual(replies.map(() => ACK));
    const row = await inboxRow(note);
    expect(row).toMatchObject({ status: "processed", deliveries: 5 });
    // Deliveries that found the row not yet applied apply it too; repeats change nothing.
    expect(row.outcome).toMatch(/^(already_)?settled$/);
    expect(row.attempts).toBeGreaterThanOrEqual(1);
    const w = await world();
    expect(w.order.status).toBe("paid");
    expect(w.payments).toBe(1);
    expect(w.grants).toHaveLength(1);
  });
});

describe("later trade states of a paid order", () => {
  it("TRADE_CLOSED, a refund notice and TRADE_FINISHED change nothing: still paid, one grant", async () => {
    expect(await post("trade", signed(tradeNote()))).toEqual(ACK);
    const paid = await world();
    expect(paid.order.status).toBe("paid");
    expect(paid.grants).toHaveLength(1);

    const cases: [Fields, { status: string; outcome: string }][] = [
      [
        signed(tradeNote({ trade_status: "TRADE_CLOSED", gmt_close: alipayTime() })),
        { status: "ignored", outcome: "no_effect:TRADE_CLOSED" },
      ],
      [
        signed(tradeNote({ refund_fee: "1.00", out_biz_no: "R1", gmt_refund: alipayTime() })),
        { status: "ignored", outcome: "refund_notice" },
      ],
      [
        signed(tradeNote({ trade_status: "TRADE_FINISHED" })),
        { status: "processed", outcome: "already_settled" },
      ],
    ];
    for (const [note, expected] of cases) {
      expect(await post("trade", note)).toEqual(ACK);
      expect(await inboxRow(note)).toMatchObject(expected);
    }
    const after = await world();
    expect(after.order.status).toBe("paid");
    expect(after.payments).toBe(1);
    expect(after.grants).toEqual(paid.grants);
  });
});

describe("agreement notifications", () => {
  it("dut_user_sign for an agreement the shop does not know: acknowledged, nothing changes", async () => {
    const note = signed(
      agreementNote("dut_user_sign", {
        agreementNo: "20261201000000000099",
        externalAgreementNo: "XA20261201NOSUCHAGREEM",
      }),
    );
    expect(await post("agreement", note)).toEqual(ACK);
    expect(await inboxRow(note)).toMatchObject({
      eventType: "agreement:dut_user_sign",
      status: "ignored",
      outcome: "unknown_agreement",
    });
    await expectUnchanged();
  });

  it("dut_user_unsign on /gateway for an active agreement: unsigned, the paid time unchanged", async () => {
    // Paid and signed in the sandbox's app; the shop learns both from the sandbox's notifications.
    const { orderStr } = await startAppPay(bed.deps, {
      userId: buyer,
      productSlug: "membership-weekly",
    });
    const paid = await bed.control("app-pay", { orderStr, action: "pay_and_sign" });
    expect(paid).toMatchObject({ status: 200, body: { resultStatus: "9000" } });
    const { agreementNo } = paid.body as { agreementNo: string };
    await bed.deliver();
    const active = await world();
    expect(active.agreement).toMatchObject({ status: "active", agreementNo, paidPeriods: 1 });
    expect(active.grants).toHaveLength(1);

    const numbers = { agreementNo, externalAgreementNo: active.agreement.externalAgreementNo };
    const note = signed(agreementNote("dut_user_unsign", numbers));
    expect(await post("gateway", note)).toEqual(ACK);
    expect(await inboxRow(note)).toMatchObject({
      eventType: "gateway:dut_user_unsign",
      status: "processed",
      outcome: "unsigned",
    });
    const after = await world();
    expect(after.agreement).toMatchObject({ status: "unsigned", autoRenew: false });
    expect(after.grants).toEqual(active.grants);
    expect(after.order.status).toBe("paid");

    // Another unsign notice (a new notify_id) finds it already unsigned.
    const again = signed(agreementNote("dut_user_unsign", numbers));
    expect(await post("gateway", again)).toEqual(ACK);
    expect(await inboxRow(again)).toMatchObject({ outcome: "already_unsigned" });
    expect((await world()).grants).toEqual(active.grants);
  });
});

describe("what the webhook recorded but never applied", () => {
  // An Alipay delivery recorded and acknowledged `success` but not applied (the process died
  // after the reply) is Alipay's no longer: the reconcile job's replay must finish it.
  it("the reconcile job's replay applies it: paid, one grant, the row processed", async () => {
    const note = signed(tradeNote());
    // Exactly what handleAlipayNotify records before applying, left unapplied.
    const { row } = await recordDelivery(
      t.db(),
      {
        provider: "alipay",
        eventKey: `alipay:${note.notify_id}`,
        eventType: "trade:trade_status_sync",
        signatureValid: true,
        headers: {},
        body: new URLSearchParams(note).toString(),
        clientAddress: "unknown",
      },
      await bed.deps.now(),
    );
    expect(row.status).toBe("received");
    const summary = await replayInbox(bed.deps, { batch: 10, overBudget: () => false });
    expect(summary).toMatchObject({ applied: 1, failed: 0, dead: 0 });
    expect(await inboxRow(note)).toMatchObject({ status: "processed", outcome: "settled" });
    const w = await world();
    expect(w.order.status).toBe("paid");
    expect(w.payments).toBe(1);
    expect(w.grants).toHaveLength(1);
  });
});
