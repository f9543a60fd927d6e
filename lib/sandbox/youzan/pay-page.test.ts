import { describe, expect, it } from "vitest";
import { SandboxError } from "./errors";
import { loadPayPage, submitCancelForm, submitPayForm } from "./pay-page";
import type { PayInput, SandboxQr } from "./types";

const dynamicQr: SandboxQr = {
  qrId: "1000001",
  name: "电子书",
  priceFen: 990,
  qrType: "QR_TYPE_DYNAMIC",
  paid: false,
};
const getQr = (qr: SandboxQr | null) => ({ getQr: async () => qr });
const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.set(key, value);
  return data;
};

describe("loadPayPage", () => {
  it("missing and unknown QR codes are messages, not crashes", async () => {
    expect(await loadPayPage(getQr(dynamicQr), {})).toEqual({ kind: "missing" });
    expect(await loadPayPage(getQr(dynamicQr), { qr_id: " " })).toEqual({ kind: "missing" });
    expect(await loadPayPage(getQr(null), { qr_id: "42" })).toEqual({
      kind: "unknown",
      qrId: "42",
    });
  });

  it("shows the form, the confirmation, the cancellation and 'already paid'", async () => {
    expect(await loadPayPage(getQr(dynamicQr), { qr_id: "1000001" })).toMatchObject({
      kind: "pay",
      error: null,
    });
    expect(
      await loadPayPage(getQr(dynamicQr), { qr_id: "1000001", error: "invalid_amount" }),
    ).toMatchObject({ kind: "pay", error: "invalid_amount" });
    expect(
      await loadPayPage(getQr(dynamicQr), { qr_id: "1000001", error: "<script>" }),
    ).toMatchObject({ kind: "pay", error: null });
    const paidQr = { ...dynamicQr, paid: true };
    expect(
      await loadPayPage(getQr(paidQr), {
        qr_id: "1000001",
        result: "paid",
        tid: "E20260301100000123456789",
      }),
    ).toMatchObject({ kind: "paid", tid: "E20260301100000123456789", amountFen: 990 });
    expect(await loadPayPage(getQr(paidQr), { qr_id: "1000001" })).toMatchObject({
      kind: "alreadyPaid",
    });
    expect(
      await loadPayPage(getQr(paidQr), { qr_id: "1000001", result: "paid", tid: "bogus" }),
    ).toMatchObject({ kind: "alreadyPaid" });
    expect(
      await loadPayPage(getQr(dynamicQr), { qr_id: "1000001", result: "cancelled" }),
    ).toMatchObject({ kind: "cancelled" });
    // A no-limit code can be paid again.
    expect(
      await loadPayPage(getQr({ ...paidQr, qrType: "QR_TYPE_NOLIMIT" }), { qr_id: "1000001" }),
    ).toMatchObject({ kind: "pay" });
  });
});

describe("submitPayForm", () => {
  it("pays and redirects to the confirmation", async () => {
    const calls: PayInput[] = [];
    const sandbox = {
      pay: async (input: PayInput) => {
        calls.push(input);
        return { tid: "E20260301100000123456789" };
      },
    };
    expect(await submitPayForm(sandbox, form({ qr_id: "1000001", pay_type: "ALIPAY" }))).toBe(
      "/sandbox/youzan/pay?qr_id=1000001&result=paid&tid=E20260301100000123456789",
    );
    expect(calls[0]).toEqual({ qrId: "1000001", payType: "ALIPAY", amountFen: undefined });
    await submitPayForm(sandbox, form({ qr_id: "1000001", pay_type: "EVIL", amount: "12.3" }));
    expect(calls[1]).toEqual({ qrId: "1000001", payType: "WXPAY", amountFen: 1230 });
  });

  it("maps refusals to the page's messages", async () => {
    const failing = (error: Error) => ({
      pay: async () => {
        throw error;
      },
    });
    const qr = form({ qr_id: "1000001" });
    expect(await submitPayForm(failing(new SandboxError(409, "paid")), qr)).toBe(
      "/sandbox/youzan/pay?qr_id=1000001&error=closed",
    );
    expect(await submitPayForm(failing(new SandboxError(404, "no")), qr)).toBe(
      "/sandbox/youzan/pay?qr_id=1000001",
    );
    expect(await submitPayForm(failing(new SandboxError(400, "amount")), qr)).toBe(
      "/sandbox/youzan/pay?qr_id=1000001&error=invalid_amount",
    );
    expect(
      await submitPayForm(failing(new Error("unused")), form({ qr_id: "1", amount: "abc" })),
    ).toBe("/sandbox/youzan/pay?qr_id=1&error=invalid_amount");
    expect(
      await submitPayForm(failing(new Error("unused")), form({ qr_id: "1", amount: "0" })),
    ).toBe("/sandbox/youzan/pay?qr_id=1&error=invalid_amount");
    await expect(submitPayForm(failing(new Error("db down")), qr)).rejects.toThrow("db down");
  });
});

describe("submitCancelForm", () => {
  it("records an unpaid scan and shows the cancellation", async () => {
    const scanned: string[] = [];
    const sandbox = {
      scan: async (qrId: string) => {
        scanned.push(qrId);
        return { tid: "E20260301100000123456789" };
      },
    };
    expect(await submitCancelForm(sandbox, form({ qr_id: "1000001" }))).toBe(
      "/sandbox/youzan/pay?qr_id=1000001&result=cancelled",
    );
    expect(scanned).toEqual(["1000001"]);
  });
});
