import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { countDownload, membersArea, membershipState, ownedProducts } from "@/db/queries/delivery";
import { entitlements, lessons, memberPosts, orders, productFiles } from "@/db/schema";
import { newId } from "@/lib/ids";
import { withTestDatabase } from "../helpers/db";
import { makeProduct, makeUser } from "../helpers/factories";

/*
 * What the library reads (db/queries/delivery.ts): the products a buyer owns and nothing else
 * (a refunded one is gone), their files and lessons in the owner's order, the members' area's
 * published posts only, whether a membership runs at a given instant (a period paid in advance
 * does not count before it starts), and the daily download count under concurrency.
 */

const t = withTestDatabase();

async function grant(
  db: Db,
  input: {
    userId: string;
    productId: string;
    kind: "content" | "membership";
    startsAt?: Date;
    expiresAt?: Date;
    revokedAt?: Date;
  },
) {
  const [order] = await db
    .insert(orders)
    .values({
      id: newId("ord"),
      orderNo: `XP20261201${newId("ord").slice(4, 14).toUpperCase()}`,
      userId: input.userId,
      productId: input.productId,
      kind: "purchase",
      provider: "youzan",
      amountFen: 990,
      status: input.revokedAt ? "refunded" : "paid",
      paidAt: new Date("2026-12-01T00:00:00Z"),
    })
    .returning();
  await db.insert(entitlements).values({
    id: newId("ent"),
    userId: input.userId,
    orderId: order!.id,
    productId: input.productId,
    kind: input.kind,
    startsAt: input.startsAt ?? new Date("2026-12-01T00:00:00Z"),
    expiresAt: input.expiresAt ?? null,
    revokedAt: input.revokedAt ?? null,
  });
  return order!;
}

async function file(db: Db, productId: string | null, name: string, position: number) {
  const id = newId("fil");
  await db.insert(productFiles).values({
    id,
    productId,
    productKind: productId ? "one_off" : null,
    storageKey: `files/${id}`,
    fileName: name,
    contentType: "application/pdf",
    byteSize: 100,
    sha256: "c".repeat(64),
    position,
  });
  return id;
}

describe("the library's reads", () => {
  it("lists what the buyer owns and nothing else, files and lessons in order", async () => {
    const db = t.db();
    const buyer = await makeUser(db);
    const other = await makeUser(db);
    const book = await makeProduct(db);
    const course = await makeProduct(db);
    const refunded = await makeProduct(db);
    const notBought = await makeProduct(db);
    await file(db, book.id, "second.pdf", 1);
    await file(db, book.id, "first.pdf", 0);
    await file(db, notBought.id, "other.pdf", 0);
    await file(db, null, "members.pdf", 0);
    for (const [position, title] of [
      [2, "三"],
      [0, "一"],
      [1, "二"],
    ] as const) {
      await db.insert(lessons).values({
        id: newId("les"),
        productId: course.id,
        position,
        titleZh: title,
        titleEn: title,
      });
    }
    await grant(db, { userId: buyer.id, productId: book.id, kind: "content" });
    await grant(db, { userId: buyer.id, productId: course.id, kind: "content" });
    await grant(db, {
      userId: buyer.id,
      productId: refunded.id,
      kind: "content",
      revokedAt: new Date(),
    });
    await grant(db, { userId: other.id, productId: notBought.id, kind: "content" });

    const owned = await ownedProducts(db, buyer.id);
    expect(owned.map((row) => row.product.id).sort()).toEqual([book.id, course.id].sort());
    const ownedBook = owned.find((row) => row.product.id === book.id)!;
    expect(ownedBook.files.map((f) => f.fileName)).toEqual(["first.pdf", "second.pdf"]);
    expect(ownedBook.lessons).toEqual([]);
    const ownedCourse = owned.find((row) => row.product.id === course.id)!;
    expect(ownedCourse.lessons.map((l) => l.titleZh)).toEqual(["一", "二", "三"]);
    expect(ownedCourse.files).toEqual([]);
    expect(await ownedProducts(db, (await makeUser(db)).id)).toEqual([]);
  });

  it("a membership runs only inside a paid, unrevoked period", async () => {
    const db = t.db();
    const plan = await makeProduct(db, { kind: "membership", priceFen: 990, periodDays: 7 });
    const member = await makeUser(db);
    const d = (iso: string) => new Date(iso);
    expect(await membershipState(db, member.id, d("2026-12-02T00:00:00Z"))).toEqual({
      state: "none",
    });
    const first = await grant(db, {
      userId: member.id,
      productId: plan.id,
      kind: "membership",
      startsAt: d("2026-12-01T00:00:00Z"),
      expiresAt: d("2026-12-08T00:00:00Z"),
    });
    // The next period, paid in advance and refunded: never counts.
    await grant(db, {
      userId: member.id,
      productId: plan.id,
      kind: "membership",
      startsAt: d("2026-12-08T00:00:00Z"),
      expiresAt: d("2026-12-15T00:00:00Z"),
      revokedAt: d("2026-12-03T00:00:00Z"),
    });
    expect(await membershipState(db, member.id, d("2026-12-02T00:00:00Z"))).toEqual({
      state: "running",
      orderNo: first.orderNo,
      expiresAt: d("2026-12-08T00:00:00Z"),
    });
    expect(await membershipState(db, member.id, d("2026-11-30T00:00:00Z"))).toMatchObject({
      state: "expired",
    });
    expect(await membershipState(db, member.id, d("2026-12-09T00:00:00Z"))).toMatchObject({
      state: "expired",
    });
  });

  it("the members' area shows published posts only, newest first", async () => {
    const db = t.db();
    const now = new Date("2026-12-05T00:00:00Z");
    const post = (titleZh: string, publishedAt: Date | null) =>
      db.insert(memberPosts).values({
        id: newId("pst"),
        titleZh,
        titleEn: titleZh,
        publishedAt,
      });
    await post("草稿", null);
    await post("旧文", new Date("2026-12-01T00:00:00Z"));
    await post("新文", new Date("2026-12-04T00:00:00Z"));
    await post("未来", new Date("2026-12-06T00:00:00Z"));
    await file(db, null, "members.zip", 0);
    await file(db, (await makeProduct(db)).id, "product.pdf", 0);
    const area = await membersArea(db, now);
    expect(area.posts.map((p) => p.titleZh)).toEqual(["新文", "旧文"]);
    expect(area.files.map((f) => f.fileName)).toEqual(["members.zip"]);
  });

  it("counts downloads per day: 12 at once against a limit of 5 lets exactly 5 through", async () => {
    const db = t.db();
    const buyer = await makeUser(db);
    const fileId = await file(db, null, "a.pdf", 0);
    const at = new Date("2026-12-01T10:00:00Z");
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        countDownload(db, { userId: buyer.id, fileId, day: "2026-12-01", at, limit: 5 }),
      ),
    );
    expect(results.filter((n) => n !== null).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(results.filter((n) => n === null)).toHaveLength(7);
    expect(
      await countDownload(db, { userId: buyer.id, fileId, day: "2026-12-02", at, limit: 5 }),
    ).toBe(1);
  });
});
