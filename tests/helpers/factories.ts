import type { Db } from "@/db";
import { agreements, notices, orders, products, users } from "@/db/schema";
import { newId, newOrderNo } from "@/lib/ids";

/** Minimal valid rows for tests; every call makes new ids. */
export async function makeUser(db: Db, overrides: Partial<typeof users.$inferInsert> = {}) {
  const id = newId("usr");
  const [row] = await db
    .insert(users)
    .values({ id, email: `${id}@example.com`, passwordHash: "scrypt$x", ...overrides })
    .returning();
  return row!;
}

export async function makeProduct(db: Db, overrides: Partial<typeof products.$inferInsert> = {}) {
  const id = newId("prd");
  const [row] = await db
    .insert(products)
    .values({
      id,
      slug: id.replace("_", "-"),
      kind: "one_off",
      priceFen: 990,
      nameZh: "测试商品",
      nameEn: "Test product",
      descriptionZh: "描述",
      descriptionEn: "Description",
      ...overrides,
    })
    .returning();
  return row!;
}

export async function makeOrder(db: Db, overrides: Partial<typeof orders.$inferInsert> = {}) {
  const user = overrides.userId ? undefined : await makeUser(db);
  const product = overrides.productId ? undefined : await makeProduct(db);
  const [row] = await db
    .insert(orders)
    .values({
      id: newId("ord"),
      orderNo: newOrderNo("2026-11-22"),
      userId: user?.id ?? overrides.userId!,
      productId: product?.id ?? overrides.productId!,
      kind: "purchase",
      provider: "youzan",
      amountFen: 990,
      ...overrides,
    })
    .returning();
  return row!;
}

export async function makeAgreement(
  db: Db,
  overrides: Partial<typeof agreements.$inferInsert> = {},
) {
  const user = await makeUser(db);
  const plan = await makeProduct(db, { kind: "membership", priceFen: 3000, periodDays: 30 });
  const [row] = await db
    .insert(agreements)
    .values({
      id: newId("agr"),
      userId: user.id,
      productId: plan.id,
      externalAgreementNo: newId("agr"),
      singleAmountFen: 3000,
      periodDays: 30,
      // An active agreement has Alipay's number and a next charge date (agreements_active_fields).
      ...(overrides.status === "active"
        ? {
            agreementNo: `2026${String(Math.floor(Math.random() * 1e15)).padStart(16, "0")}`,
            nextChargeDate: "2026-12-30",
          }
        : {}),
      ...overrides,
    })
    .returning();
  return row!;
}

/**
 * A notice in the outbox as the sender would have left it: pending by default; `sent` gets a
 * sent_at (notices_sent_at), the rest what the overrides say. A buyer's email notice unless told.
 */
export async function makeNotice(db: Db, overrides: Partial<typeof notices.$inferInsert> = {}) {
  const id = newId("ntc");
  const status = overrides.status ?? "pending";
  const [row] = await db
    .insert(notices)
    .values({
      id,
      kind: "receipt",
      channel: "email",
      eventKey: `order:${newId("ord")}`,
      recipient: `${id}@example.com`,
      data: {},
      status,
      sentAt: status === "sent" ? new Date() : null,
      ...overrides,
    })
    .returning();
  return row!;
}
