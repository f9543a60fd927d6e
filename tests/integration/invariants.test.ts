import { ilike } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db";
import {
  agreements,
  chargeAttempts,
  entitlements,
  payments,
  products,
  users,
  webhookInbox,
} from "@/db/schema";
import { newId } from "@/lib/ids";
import { makeAgreement, makeOrder, makeProduct, makeUser } from "../helpers/factories";
import { withTestDatabase } from "../helpers/db";

/*
 * The schema's constraints carry the invariants of ARCHITECTURE.md. Each test below breaks one and
 * expects the database to refuse, naming the constraint; dropping a constraint fails its test.
 */

const t = withTestDatabase();

async function refusal(action: Promise<unknown>): Promise<string> {
  const error = await action.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "the database accepted a row that breaks an invariant").toBeDefined();
  // postgres.js and PGlite both expose the server error (message, constraint) on the error or its cause.
  const err = error as {
    message?: string;
    cause?: { message?: string; constraint_name?: string; constraint?: string };
  };
  return [err.message, err.cause?.message, err.cause?.constraint_name, err.cause?.constraint].join(
    " ",
  );
}

function payment(db: Db, orderId: string, tradeNo: string, status: "paid" | "mismatch" = "paid") {
  return db.insert(payments).values({
    id: newId("pay"),
    orderId,
    provider: "youzan",
    providerTradeNo: tradeNo,
    amountFen: 990,
    status,
    paidAt: new Date(),
  });
}

describe("invariants held by the schema", () => {
  it("one provider trade settles exactly one order", async () => {
    const a = await makeOrder(t.db());
    const b = await makeOrder(t.db());
    await payment(t.db(), a.id, "E2026112200001");
    expect(await refusal(payment(t.db(), b.id, "E2026112200001"))).toContain(
      "payments_provider_trade_uq",
    );
    // The same trade number at the other provider is a different trade.
    await t
      .db()
      .insert(payments)
      .values({
        id: newId("pay"),
        orderId: b.id,
        provider: "alipay",
        providerTradeNo: "E2026112200001",
        amountFen: 990,
        status: "paid",
      });
  });

  it("an order is paid by at most one trade; extra trades can only be recorded as mismatches", async () => {
    const order = await makeOrder(t.db());
    await payment(t.db(), order.id, "T1");
    expect(await refusal(payment(t.db(), order.id, "T2"))).toContain("payments_order_paid_uq");
    await payment(t.db(), order.id, "T3", "mismatch");
  });

  it("one grant per order", async () => {
    const order = await makeOrder(t.db());
    const grant = () =>
      t
        .db()
        .insert(entitlements)
        .values({
          id: newId("ent"),
          userId: order.userId,
          orderId: order.id,
          productId: order.productId,
          kind: "content",
          startsAt: new Date(),
        });
    await grant();
    expect(await refusal(grant())).toContain("entitlements_order_uq");
  });

  it("one renewal order per agreement and period", async () => {
    const agreement = await makeAgreement(t.db());
    const renewal = () =>
      makeOrder(t.db(), {
        userId: agreement.userId,
        productId: agreement.productId,
        kind: "renewal",
        provider: "alipay",
        agreementId: agreement.id,
        periodIndex: 2,
        amountFen: 3000,
      });
    await renewal();
    expect(await refusal(renewal())).toContain("orders_agreement_period_uq");
    expect(
      await refusal(makeOrder(t.db(), { kind: "renewal", provider: "alipay", amountFen: 3000 })),
    ).toContain("orders_renewal_fields");
  });

  it("at most one successful charge per agreement and period, one attempt per number", async () => {
    const agreement = await makeAgreement(t.db());
    const order = await makeOrder(t.db(), {
      userId: agreement.userId,
      productId: agreement.productId,
      kind: "renewal",
      provider: "alipay",
      agreementId: agreement.id,
      periodIndex: 1,
      amountFen: 3000,
    });
    const attempt = (attemptNo: number, status: "succeeded" | "failed") =>
      t
        .db()
        .insert(chargeAttempts)
        .values({
          id: newId("chg"),
          agreementId: agreement.id,
          orderId: order.id,
          periodIndex: 1,
          attemptNo,
          outTradeNo: `${agreement.id}_1_${attemptNo}`,
          amountFen: 3000,
          status,
        });
    await attempt(1, "failed");
    await attempt(2, "succeeded");
    expect(await refusal(attempt(3, "succeeded"))).toContain("charge_attempts_period_succeeded_uq");
    expect(await refusal(attempt(2, "failed"))).toMatch(
      /charge_attempts_(out_trade_no|period_attempt)_uq/,
    );
  });

  it("one inbox row per provider event", async () => {
    const event = (key: string | null) =>
      t
        .db()
        .insert(webhookInbox)
        .values({
          id: newId("evt"),
          provider: "youzan",
          eventKey: key,
          signatureValid: key !== null,
          body: "{}",
        });
    await event("msg-1");
    expect(await refusal(event("msg-1"))).toContain("webhook_inbox_event_uq");
    // Deliveries that failed verification carry no key and are all kept.
    await event(null);
    await event(null);
  });

  it("money is integer fen: no zero, negative or fractional prices", async () => {
    expect(await refusal(makeProduct(t.db(), { priceFen: 0 }))).toContain(
      "products_price_positive",
    );
    expect(await refusal(makeProduct(t.db(), { priceFen: -990 }))).toContain(
      "products_price_positive",
    );
    expect(await refusal(makeProduct(t.db(), { priceFen: 9.9 }))).toMatch(/integer|invalid input/i);
    expect(await refusal(makeOrder(t.db(), { amountFen: 0 }))).toContain("orders_amount_positive");
  });

  it("product kinds carry their own fields", async () => {
    expect(await refusal(makeProduct(t.db(), { kind: "membership" }))).toContain(
      "products_kind_fields",
    );
    expect(await refusal(makeProduct(t.db(), { kind: "credit_pack" }))).toContain(
      "products_kind_fields",
    );
    expect(await refusal(makeProduct(t.db(), { periodDays: 30 }))).toContain(
      "products_kind_fields",
    );
    expect(await refusal(makeProduct(t.db(), { kind: "credit_pack", credits: 0 }))).toContain(
      "products_kind_fields",
    );
    await makeProduct(t.db(), { kind: "membership", periodDays: 7 });
    await makeProduct(t.db(), { kind: "credit_pack", credits: 10 });
    expect(await t.db().$count(products)).toBe(2);
  });

  it("a paid order has a payment time; emails are unique and lower-case", async () => {
    expect(await refusal(makeOrder(t.db(), { status: "paid" }))).toContain("orders_paid_at");
    await makeUser(t.db(), { email: "li@example.com" });
    expect(await refusal(makeUser(t.db(), { email: "li@example.com" }))).toContain(
      "users_email_uq",
    );
    expect(await refusal(makeUser(t.db(), { email: "Li@Example.com" }))).toContain(
      "users_email_lowercase",
    );
    expect(await t.db().$count(users, ilike(users.email, "li@example.com"))).toBe(1);
  });

  it("business dates are calendar dates and instants are timestamptz", async () => {
    const agreement = await makeAgreement(t.db(), { nextChargeDate: "2026-12-31" });
    expect(agreement.nextChargeDate).toBe("2026-12-31");
    expect(agreement.createdAt).toBeInstanceOf(Date);
  });
});

describe("grants carry what they grant", () => {
  it("credit grants need credits, membership grants an end date", async () => {
    const order = await makeOrder(t.db());
    const grant = (kind: "credits" | "membership", extra: { credits?: number; expiresAt?: Date }) =>
      t
        .db()
        .insert(entitlements)
        .values({
          id: newId("ent"),
          userId: order.userId,
          orderId: order.id,
          productId: order.productId,
          kind,
          startsAt: new Date(),
          ...extra,
        });
    expect(await refusal(grant("credits", {}))).toContain("entitlements_kind_fields");
    expect(await refusal(grant("membership", {}))).toContain("entitlements_kind_fields");
    await grant("credits", { credits: 10 });
  });

  it("a membership plan's period is at least 7 days (Alipay refuses shorter DAY periods)", async () => {
    expect(
      await refusal(makeProduct(t.db(), { kind: "membership", priceFen: 990, periodDays: 6 })),
    ).toContain("products_membership_min_period");
    await makeProduct(t.db(), { kind: "membership", priceFen: 990, periodDays: 7 });
  });

  it("an active agreement has Alipay's number and a next charge date", async () => {
    expect(await refusal(makeAgreement(t.db(), { status: "active", agreementNo: null }))).toContain(
      "agreements_active_fields",
    );
    expect(
      await refusal(makeAgreement(t.db(), { status: "active", nextChargeDate: null })),
    ).toContain("agreements_active_fields");
  });

  it("one agreement waiting for a signature per buyer and plan; the sign flow is known", async () => {
    const first = await makeAgreement(t.db());
    const again = t
      .db()
      .insert(agreements)
      .values({
        id: newId("agr"),
        userId: first.userId,
        productId: first.productId,
        externalAgreementNo: newId("agr"),
        singleAmountFen: 3000,
        periodDays: 30,
      });
    expect(await refusal(again)).toContain("agreements_open_sign_uq");
    expect(await refusal(makeAgreement(t.db(), { signFlow: "email" }))).toContain(
      "agreements_sign_flow",
    );
  });
});
