import { describe, expect, it } from "vitest";
import { loadPayPage, submitCancelForm, submitPayForm } from "@/lib/sandbox/youzan/pay-page";
import { at, withSandboxHarness } from "../helpers/sandbox-harness";

/*
 * The "scan & pay" page's logic (lib/sandbox/youzan/pay-page.ts) against a real sandbox: what a
 * phone sees for a QR code, and what Pay and Cancel do to its trades.
 */

const h = withSandboxHarness();

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.set(key, value);
  return data;
};
const query = (path: string) => Object.fromEntries(new URL(path, "http://x").searchParams);

describe("the scan & pay page", () => {
  it("shows the code, pays it once, then says it is already paid", async () => {
    const qrId = await h.createQr();
    expect(await loadPayPage(h.sandbox, { qr_id: qrId })).toMatchObject({
      kind: "pay",
      qr: { qrId, name: "电子书 · 小铺", priceFen: 990, paid: false },
    });

    const paidAt = await submitPayForm(h.sandbox, form({ qr_id: qrId, pay_type: "ALIPAY" }));
    const { tid } = query(paidAt);
    expect(query(paidAt)).toMatchObject({ qr_id: qrId, result: "paid" });
    expect(await loadPayPage(h.sandbox, query(paidAt))).toMatchObject({
      kind: "paid",
      tid,
      amountFen: 990,
    });
    const row = at(
      (await h.authed(["youzan.trades.qr.get", "3.0.0"], { qr_id: qrId })).json,
      "response.qr_trades.0",
    );
    expect(row).toMatchObject({ tid, status: "TRADE_RECEIVED", pay_type: "ALIPAY" });

    expect(await loadPayPage(h.sandbox, { qr_id: qrId })).toMatchObject({ kind: "alreadyPaid" });
    expect(query(await submitPayForm(h.sandbox, form({ qr_id: qrId })))).toEqual({
      qr_id: qrId,
      error: "closed",
    });
  });

  it("Cancel records an unpaid scan that closes after 30 minutes", async () => {
    const qrId = await h.createQr();
    expect(query(await submitCancelForm(h.sandbox, form({ qr_id: qrId })))).toEqual({
      qr_id: qrId,
      result: "cancelled",
    });
    h.advance(30 * 60);
    expect(await h.sandbox.tick()).toMatchObject({ closed: 1 });
    expect(h.types()).toEqual(["trade_TradeCreate", "trade_TradeClose"]);
  });

  it("a payer-priced code takes the typed amount; unknown codes and bad amounts are messages", async () => {
    const qrId = await h.createQr({ qr_type: "QR_TYPE_FIXED_BY_PERSON", qr_name: "随意付" });
    expect(query(await submitPayForm(h.sandbox, form({ qr_id: qrId, amount: "abc" })))).toEqual({
      qr_id: qrId,
      error: "invalid_amount",
    });
    expect(query(await submitPayForm(h.sandbox, form({ qr_id: qrId })))).toEqual({
      qr_id: qrId,
      error: "invalid_amount",
    });
    const paid = query(await submitPayForm(h.sandbox, form({ qr_id: qrId, amount: "12.34" })));
    expect(paid).toMatchObject({ result: "paid", amount: "1234" });
    expect(await loadPayPage(h.sandbox, paid)).toMatchObject({ kind: "paid", amountFen: 1234 });

    expect(await loadPayPage(h.sandbox, { qr_id: "999" })).toEqual({
      kind: "unknown",
      qrId: "999",
    });
    expect(query(await submitPayForm(h.sandbox, form({ qr_id: "999" })))).toEqual({ qr_id: "999" });
    expect(query(await submitCancelForm(h.sandbox, form({ qr_id: "999" })))).toEqual({
      qr_id: "999",
    });
  });
});
