import "server-only";
import { eq } from "drizzle-orm";
import { hashPassword } from "@/lib/auth/password";
import { newId } from "@/lib/ids";
import type { Db } from "./client";
import { products, users, type NewProduct } from "./schema";
import { assertPlans, DEFAULT_SINGLE_CAP_FEN } from "@/lib/memberships/plan-rules";

export type CatalogueEntry = Omit<NewProduct, "id" | "createdAt" | "updatedAt">;

/** The starting catalogue. Prices are fen. Seeding never overwrites what the owner edited. */
export const CATALOGUE: readonly CatalogueEntry[] = [
  {
    slug: "side-hustle-handbook",
    kind: "one_off",
    priceFen: 990,
    nameZh: "一个人的副业手册（电子书）",
    nameEn: "The Solo Side-Hustle Handbook (e-book)",
    descriptionZh: "从零开始做一个人的小生意：选题、定价、收款和复购，120 页实战笔记。",
    descriptionEn:
      "Starting a one-person business from zero: topics, pricing, getting paid and repeat buyers. 120 pages of field notes.",
    contentZh: "感谢购买！电子书 PDF 已放进“我的书架”，随时可以下载。",
    contentEn: "Thank you! The e-book PDF is in My library, ready to download.",
    sortOrder: 10,
  },
  {
    slug: "writing-that-sells",
    kind: "one_off",
    priceFen: 1990,
    nameZh: "会卖货的文案（电子书）",
    nameEn: "Writing That Sells (e-book)",
    descriptionZh: "朋友圈、公众号和商品页的文案方法，附 60 个可直接套用的模板。",
    descriptionEn:
      "Copywriting for Moments, official accounts and product pages, with 60 ready-to-use templates.",
    contentZh: "感谢购买！电子书 PDF 已放进“我的书架”，随时可以下载。",
    contentEn: "Thank you! The e-book PDF is in My library, ready to download.",
    sortOrder: 20,
  },
  {
    slug: "notion-for-creators",
    kind: "one_off",
    priceFen: 4900,
    nameZh: "创作者的 Notion 工作流（视频课程）",
    nameEn: "Notion Workflows for Creators (video course)",
    descriptionZh: "分节视频课，搭建选题库、内容日历和读者管理系统。",
    descriptionEn:
      "A video course in lessons: build a topic bank, a content calendar and a reader CRM in Notion.",
    contentZh: "感谢购买！课程已在“我的书架”中开放，随时开始学习。",
    contentEn: "Thank you! The course is open in My library — start whenever you like.",
    sortOrder: 30,
  },
  {
    slug: "membership-weekly",
    kind: "membership",
    priceFen: 990,
    periodDays: 7,
    nameZh: "周会员",
    nameEn: "Weekly membership",
    descriptionZh: "每周自动续费，随时可取消。会员可阅读全部专栏文章。",
    descriptionEn: "Renews every week, cancel any time. Members read every column.",
    contentZh: "会员专栏：本周起可阅读全部专栏文章，入口在“我的书架”的会员专区。",
    contentEn:
      "Members' column: every column is open to you from this week, in My library's members' area.",
    sortOrder: 40,
  },
  {
    slug: "membership-monthly",
    kind: "membership",
    priceFen: 3000,
    periodDays: 30,
    nameZh: "月会员",
    nameEn: "Monthly membership",
    descriptionZh: "每 30 天自动续费，随时可取消。会员可阅读全部专栏文章并参加每月答疑。",
    descriptionEn:
      "Renews every 30 days, cancel any time. Members read every column and join the monthly Q&A.",
    contentZh: "会员专栏与每月答疑：全部专栏文章已开放，答疑报名链接每月 1 日更新在这里。",
    contentEn:
      "Members' column and monthly Q&A: every column is open; the Q&A sign-up link appears here on the 1st.",
    sortOrder: 50,
  },
  {
    slug: "membership-quarterly",
    kind: "membership",
    priceFen: 7800,
    periodDays: 90,
    nameZh: "季度会员",
    nameEn: "Quarterly membership",
    descriptionZh: "每 90 天自动续费，比月会员省 ¥12。",
    descriptionEn: "Renews every 90 days; saves ¥12 over the monthly plan.",
    contentZh: "季度会员专栏与每月答疑：全部专栏文章已开放，答疑报名链接每月 1 日更新在这里。",
    contentEn:
      "Quarterly members' column and monthly Q&A: every column is open; the Q&A link appears here on the 1st.",
    sortOrder: 60,
  },
  {
    slug: "credits-10",
    kind: "credit_pack",
    priceFen: 2000,
    credits: 10,
    nameZh: "10 次咨询点数",
    nameEn: "10 consultation credits",
    descriptionZh: "每次一对一文字咨询消耗 1 点，点数不过期。",
    descriptionEn: "Each one-to-one written consultation uses one credit; credits never expire.",
    sortOrder: 70,
  },
];

export interface SeedResult {
  productsCreated: number;
  adminCreated: boolean;
}

/**
 * Idempotent: inserts what is missing, leaves existing rows untouched. Membership plans that
 * break Alipay's rules (lib/memberships/plan-rules.ts) are refused before anything is written,
 * each rule named.
 */
export async function seedDatabase(
  db: Db,
  admin: { email: string; password: string },
  rules: { singleCapFen: number } = { singleCapFen: DEFAULT_SINGLE_CAP_FEN },
  catalogue: readonly CatalogueEntry[] = CATALOGUE,
): Promise<SeedResult> {
  assertPlans(catalogue, rules.singleCapFen);
  const inserted = await db
    .insert(products)
    .values(catalogue.map((entry) => ({ ...entry, id: newId("prd") })))
    .onConflictDoNothing({ target: products.slug })
    .returning({ id: products.id });

  const email = admin.email.toLowerCase();
  const existing = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
  let adminCreated = false;
  if (existing.length === 0) {
    const created = await db
      .insert(users)
      .values({
        id: newId("usr"),
        email,
        name: "Admin",
        passwordHash: await hashPassword(admin.password),
        role: "admin",
      })
      .onConflictDoNothing({ target: users.email })
      .returning({ id: users.id });
    adminCreated = created.length > 0;
  }
  return { productsCreated: inserted.length, adminCreated };
}
