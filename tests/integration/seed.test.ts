import { asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { products, users } from "@/db/schema";
import { CATALOGUE, seedDatabase } from "@/db/seed";
import { verifyPassword } from "@/lib/auth/password";
import { getEnv } from "@/lib/env";
import { seed, withTestDatabase } from "../helpers/db";

const t = withTestDatabase();

describe("seed", () => {
  it("creates the catalogue with the prices of the brief, in fen, in both languages", async () => {
    const result = await seed(t.db());
    expect(result).toEqual({ productsCreated: 7, adminCreated: true });
    const rows = await t.db().select().from(products).orderBy(asc(products.sortOrder));
    const summary = rows.map((p) => [p.kind, p.priceFen, p.periodDays, p.credits]);
    expect(summary).toEqual([
      ["one_off", 990, null, null],
      ["one_off", 1990, null, null],
      ["one_off", 4900, null, null],
      ["membership", 990, 7, null],
      ["membership", 3000, 30, null],
      ["membership", 7800, 90, null],
      ["credit_pack", 2000, null, 10],
    ]);
    for (const p of rows) {
      expect(p.nameZh).toMatch(/[\u4e00-\u9fff]/);
      expect(p.nameEn).toMatch(/^[\x20-\x7e]+$/);
      expect(p.active).toBe(true);
    }
  });

  it("creates the admin with the admin role and a working password hash", async () => {
    await seed(t.db());
    const env = getEnv();
    const [admin] = await t.db().select().from(users).where(eq(users.email, env.admin.email));
    expect(admin?.role).toBe("admin");
    expect(admin?.passwordHash).not.toContain(env.admin.password);
    expect(await verifyPassword(env.admin.password, admin!.passwordHash)).toBe(true);
  });

  it("is idempotent: a second run changes nothing, not even edited rows", async () => {
    await seed(t.db());
    await t
      .db()
      .update(products)
      .set({ priceFen: 1234 })
      .where(eq(products.slug, CATALOGUE[0]!.slug));
    const before = {
      products: await t.db().select().from(products).orderBy(asc(products.slug)),
      users: await t.db().select().from(users).orderBy(asc(users.email)),
    };
    const again = await seed(t.db());
    expect(again).toEqual({ productsCreated: 0, adminCreated: false });
    const after = {
      products: await t.db().select().from(products).orderBy(asc(products.slug)),
      users: await t.db().select().from(users).orderBy(asc(users.email)),
    };
    expect(after).toEqual(before);
  });

  it("does not reset the password of an existing admin", async () => {
    await seed(t.db());
    const changed = await seedDatabase(t.db(), {
      email: getEnv().admin.email,
      password: "another-password",
    });
    expect(changed.adminCreated).toBe(false);
    const [admin] = await t.db().select().from(users).where(eq(users.email, getEnv().admin.email));
    expect(await verifyPassword("another-password", admin!.passwordHash)).toBe(false);
  });

  it("two seeds racing create each row once", async () => {
    await Promise.all([seed(t.db()), seed(t.db()), seed(t.db())]);
    expect(await t.db().$count(products)).toBe(CATALOGUE.length);
    expect(await t.db().$count(users)).toBe(1);
  });

  it("refuses a catalogue whose plans break Alipay's rules, naming them, and writes nothing", async () => {
    const broken = [
      ...CATALOGUE,
      { ...CATALOGUE[3]!, slug: "membership-daily", periodDays: 1 },
      { ...CATALOGUE[3]!, slug: "membership-vip", priceFen: 19_900 },
    ];
    const admin = getEnv().admin;
    await expect(seedDatabase(t.db(), admin, { singleCapFen: 10_000 }, broken)).rejects.toThrow(
      /membership-daily: a period must be at least 7 days.*membership-vip: the price ¥199.00 exceeds/,
    );
    expect(await t.db().$count(products)).toBe(0);
    expect(await t.db().$count(users)).toBe(0);
    // A lower cap refuses the seeded quarterly plan (¥78).
    await expect(seedDatabase(t.db(), admin, { singleCapFen: 5_000 })).rejects.toThrow(
      /membership-quarterly.*single-charge cap ¥50.00/,
    );
  });
});
