import { eq, ilike } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db";
import {
  agreements,
  chargeAttempts,
  creditBalances,
  creditEntries,
  downloadCounts,
  entitlements,
  lessons,
  notices,
  passwordResetTokens,
  payments,
  productFiles,
  products,
  stampedCopies,
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

  it("files and lessons hang only off one-off products; a product with lessons keeps its kind", async () => {
    const db = t.db();
    const plan = await makeProduct(db, { kind: "membership", priceFen: 990, periodDays: 7 });
    const book = await makeProduct(db);
    const file = (over: Partial<typeof productFiles.$inferInsert>) =>
      db.insert(productFiles).values({
        id: newId("fil"),
        productId: book.id,
        productKind: "one_off",
        storageKey: `files/${newId("fil")}`,
        fileName: "书.pdf",
        contentType: "application/pdf",
        byteSize: 10,
        sha256: "a".repeat(64),
        ...over,
      });
    expect(await refusal(file({ productId: plan.id, productKind: "membership" }))).toContain(
      "product_files_product_kind",
    );
    // The kind column claims one-off, the product is a plan: the composite key refuses it.
    expect(await refusal(file({ productId: plan.id }))).toContain(
      "product_files_one_off_product_fk",
    );
    expect(await refusal(file({ productKind: null }))).toContain("product_files_product_kind");
    expect(await refusal(file({ contentType: "text/html" }))).toContain(
      "product_files_content_type",
    );
    expect(await refusal(file({ fileName: "../etc/passwd" }))).toContain("product_files_file_name");
    expect(await refusal(file({ sha256: "xyz" }))).toContain("product_files_sha256_hex");
    expect(await refusal(file({ byteSize: 0 }))).toContain("product_files_size");
    await file({ storageKey: "files/one" });
    expect(await refusal(file({ storageKey: "files/one" }))).toContain(
      "product_files_storage_key_uq",
    );
    // The members' area: no product at all.
    await file({ productId: null, productKind: null });

    const lesson = (over: Partial<typeof lessons.$inferInsert>) =>
      db.insert(lessons).values({
        id: newId("les"),
        productId: book.id,
        titleZh: "第一课",
        titleEn: "Lesson one",
        ...over,
      });
    expect(await refusal(lesson({ productId: plan.id }))).toContain("lessons_one_off_product_fk");
    expect(await refusal(lesson({ videoUrl: "javascript:alert(1)" }))).toContain(
      "lessons_video_url",
    );
    expect(await refusal(lesson({ titleZh: "" }))).toContain("lessons_titles");
    await lesson({});
    expect(
      await refusal(
        db
          .update(products)
          .set({ kind: "membership", periodDays: 30 })
          .where(eq(products.id, book.id)),
      ),
    ).toContain("one_off_product_fk");
  });

  it("a credit balance is never negative; one grant and one refund per credit-pack order", async () => {
    const db = t.db();
    const order = await makeOrder(db);
    await db.insert(creditBalances).values({ userId: order.userId, balance: 1 });
    expect(await refusal(db.update(creditBalances).set({ balance: -1 }))).toContain(
      "credit_balances_nonnegative",
    );
    const entry = (over: Partial<typeof creditEntries.$inferInsert>) =>
      db.insert(creditEntries).values({
        id: newId("cre"),
        userId: order.userId,
        kind: "grant",
        delta: 10,
        balanceAfter: 10,
        orderId: order.id,
        ...over,
      });
    await entry({});
    expect(await refusal(entry({}))).toContain("credit_entries_order_kind_uq");
    expect(await refusal(entry({ kind: "use", orderId: null }))).toContain(
      "credit_entries_kind_fields",
    );
    expect(
      await refusal(
        entry({ kind: "use", delta: -1, orderId: null, note: "咨询", balanceAfter: -1 }),
      ),
    ).toContain("credit_entries_balance_after");
    await entry({ kind: "refund", delta: -3, balanceAfter: 7 });
    expect(await refusal(entry({ kind: "refund", delta: -1, balanceAfter: 6 }))).toContain(
      "credit_entries_order_kind_uq",
    );
    await entry({
      kind: "use",
      delta: -1,
      orderId: null,
      note: "一次咨询",
      requestKey: "k1",
      balanceAfter: 6,
    });
    expect(
      await refusal(
        entry({
          kind: "use",
          delta: -1,
          orderId: null,
          note: "一次咨询",
          requestKey: "k1",
          balanceAfter: 5,
        }),
      ),
    ).toContain("credit_entries_request_key_uq");
  });

  it("a download count row is one buyer, file and day, counted from one", async () => {
    const db = t.db();
    const user = await makeUser(db);
    const id = newId("fil");
    await db.insert(productFiles).values({
      id,
      productId: null,
      storageKey: `files/${id}`,
      fileName: "a.zip",
      contentType: "application/zip",
      byteSize: 1,
      sha256: "b".repeat(64),
    });
    const row = { userId: user.id, fileId: id, day: "2026-12-01", count: 1, lastAt: new Date() };
    await db.insert(downloadCounts).values(row);
    expect(await refusal(db.insert(downloadCounts).values(row))).toContain("download_counts_pk");
    expect(
      await refusal(db.insert(downloadCounts).values({ ...row, day: "2026-12-02", count: 0 })),
    ).toContain("download_counts_count");
  });

  it("a stamped copy is recorded once per storage key, under stamps/, with its file version", async () => {
    const db = t.db();
    const copy = (over: Partial<typeof stampedCopies.$inferInsert>) =>
      db.insert(stampedCopies).values({
        key: `stamps/fil_abc/${"ab".repeat(20)}`,
        fileId: "fil_abc",
        fileSha256: "c".repeat(64),
        byteSize: 1024,
        lastServedAt: new Date(),
        ...over,
      });
    await copy({});
    expect(await refusal(copy({}))).toContain("stamped_copies_pkey");
    // Never a path outside the copies' prefix (the sweep deletes what these rows name).
    expect(await refusal(copy({ key: "files/fil_abc" }))).toContain("stamped_copies_key");
    expect(await refusal(copy({ key: "stamps/../files/fil_abc/ab" }))).toContain(
      "stamped_copies_key",
    );
    expect(
      await refusal(copy({ key: `stamps/fil_abc/${"cd".repeat(20)}`, fileSha256: "not-hex" })),
    ).toContain("stamped_copies_sha256_hex");
    expect(
      await refusal(copy({ key: `stamps/fil_abc/${"ef".repeat(20)}`, byteSize: 0 })),
    ).toContain("stamped_copies_size");
  });

  it("a notice is written once per event, recipient and kind; sent means a send time", async () => {
    const db = t.db();
    const user = await makeUser(db);
    const notice = (over: Partial<typeof notices.$inferInsert>) =>
      db.insert(notices).values({
        id: newId("ntc"),
        kind: "receipt",
        eventKey: "order:ord_x",
        recipient: user.email,
        userId: user.id,
        ...over,
      });
    await notice({});
    expect(await refusal(notice({}))).toContain("notices_event_recipient_kind_uq");
    // Another kind or recipient of the same event is another notice.
    await notice({ kind: "owner_new_order", recipient: "owner" });
    expect(await refusal(notice({ kind: "nonsense" as "receipt", eventKey: "e2" }))).toContain(
      "notices_kind",
    );
    expect(await refusal(notice({ eventKey: "e3", status: "sent" }))).toContain("notices_sent_at");
    expect(
      await refusal(notice({ eventKey: "e4", status: "pending", sentAt: new Date() })),
    ).toContain("notices_sent_at");
    expect(await refusal(notice({ eventKey: "e5", channel: "sms" as "email" }))).toContain(
      "notices_channel",
    );
    expect(await refusal(notice({ eventKey: "e6", locale: "fr" }))).toContain("notices_locale");
    expect(await refusal(notice({ eventKey: "e7", attempts: -1 }))).toContain("notices_attempts");
  });

  it("a password reset token is stored as a SHA-256 only, and one per account is usable", async () => {
    const db = t.db();
    const user = await makeUser(db);
    const token = (over: Partial<typeof passwordResetTokens.$inferInsert>) =>
      db.insert(passwordResetTokens).values({
        id: newId("prt"),
        userId: user.id,
        tokenHash: "a".repeat(64),
        expiresAt: new Date(Date.now() + 1_800_000),
        ...over,
      });
    expect(await refusal(token({ tokenHash: "not-a-hash" }))).toContain(
      "password_reset_tokens_hash_hex",
    );
    await token({});
    expect(await refusal(token({ tokenHash: "b".repeat(64) }))).toContain(
      "password_reset_tokens_one_live_uq",
    );
    expect(await refusal(token({ tokenHash: "a".repeat(64), usedAt: new Date() }))).toContain(
      "password_reset_tokens_hash_uq",
    );
    // Used or revoked ones may pile up; only the live one is unique.
    await token({ tokenHash: "c".repeat(64), revokedAt: new Date() });
  });
});
