import "server-only";
import { eq, sql } from "drizzle-orm";
import { makeBookPdf, type Book } from "@/lib/delivery/book-pdf";
import { newId } from "@/lib/ids";
import type { FileStorage } from "@/lib/storage/types";
import type { Db } from "./client";
import { lessons, memberPosts, productFiles, products } from "./schema";
import { shopNow } from "./schema/shop-time";

/*
 * What the seeded catalogue (db/seed.ts) hands out once paid, so a fresh `npm run dev` shows
 * the whole delivery flow: a PDF for each e-book, the course's lessons and one members' post.
 * The texts are also the shipped font's coverage list: `npm run font:subset` reads them, and
 * lib/delivery/font.test.ts fails when one of their characters has no glyph.
 */

export interface SeededBook {
  slug: string;
  /** The download's name (Chinese allowed, no path). */
  fileName: string;
  book: Book;
}

export const SEEDED_BOOKS: readonly SeededBook[] = [
  {
    slug: "side-hustle-handbook",
    fileName: "一个人的副业手册.pdf",
    book: {
      title: "一个人的副业手册",
      subtitle: "从零开始做一个人的小生意：选题、定价、收款和复购",
      chapters: [
        {
          heading: "第一章　先找到一个小问题",
          paragraphs: [
            "很多人想做副业，第一步就卡在“做什么”。我的建议是：别从你想卖什么出发，先从别人反复问你的问题出发。同事总来问你怎么做表格，朋友总来问你怎么带娃出门旅行，这些都是线索。",
            "把最近三个月里别人问过你的问题写下来，每条后面记上次数。出现三次以上的问题，就是值得试一试的选题。它不需要很大，小到“新手怎么用 Excel 做家庭账本”也完全可以。",
            "选题的标准只有两条：有人愿意为答案付钱，而你能比网上的免费内容讲得更清楚、更省时间。满足这两条，就可以开始了。",
          ],
        },
        {
          heading: "第二章　定价：先卖出去，再慢慢涨",
          paragraphs: [
            "第一份产品的价格，宁可低一点。9.9 元的电子书，买的人不会想太久；等你有了二十个真实的评价，再把价格调到 19.9 元或者 29.9 元。",
            "定价时可以做一个简单的对比：读者自己摸索要花多少时间？如果你的内容能帮他省下一个周末，那么一杯咖啡的价格就很公道。",
            "不要一开始就做会员和课程。先用一个单品验证需求，卖出一百份以后，再考虑把它扩展成更完整的产品线。",
          ],
        },
        {
          heading: "第三章　收款与交付",
          paragraphs: [
            "没有公司账户，也可以正规地收款。个人收款码、小店的动态二维码，都能让买家扫码付款，钱直接进你的账户。关键是每一笔订单都要有记录：谁买了什么、付了多少钱、什么时候付的。",
            "交付要做到“付完即得”。买家付款后马上能下载文件、打开课程，而不是等你半夜醒来手动发链接。自动交付不仅省你的时间，也让买家更放心。",
            "文件里可以加上买家的账号和订单号，提醒大家这是个人购买的内容。这样做不是为了防贼，而是让转发的人多想一秒。",
          ],
        },
        {
          heading: "第四章　复购：把买家变成老朋友",
          paragraphs: [
            "第一次购买只是开始。每位买家都值得一封真诚的感谢信，告诉他内容怎么用、遇到问题去哪里问。",
            "定期更新内容，并通知老买家免费领取新版。读者会记住你是一个说话算话的人，下一次你推出新产品时，他们会是第一批下单的人。",
            "一个人的生意，靠的不是流量，而是信任。把每一位买家当成朋友，生意自然会慢慢长大。",
          ],
        },
      ],
    },
  },
  {
    slug: "writing-that-sells",
    fileName: "会卖货的文案.pdf",
    book: {
      title: "会卖货的文案",
      subtitle: "朋友圈、公众号和商品页的文案方法",
      chapters: [
        {
          heading: "第一章　写给一个人看",
          paragraphs: [
            "好文案的第一条规则：心里只想着一个读者。她是谁？几点下班？为什么会在这个时候打开手机？把这些想清楚，文字自然就有了温度。",
            "试着把“本产品适合所有想提升写作能力的人”改成“如果你每次写朋友圈都要删改十分钟，这本小册子是为你准备的”。后一句话，读者会觉得你在跟她说话。",
          ],
        },
        {
          heading: "第二章　朋友圈：三行就够",
          paragraphs: [
            "朋友圈的文案不要长。第一行说一个具体的场景，第二行说你的东西怎么帮上忙，第三行告诉读者下一步做什么。",
            "例如：“周日晚上又在为下周的选题发愁？我把三年来用过的 60 个选题方法整理成了一本小书。评论区留言“选题”，我把试读章节发给你。”",
            "少用感叹号，多用数字和细节。“帮 300 位读者改过简历”比“超级好用！！！”更让人相信。",
          ],
        },
        {
          heading: "第三章　商品页：回答买家心里的问题",
          paragraphs: [
            "买家在商品页上想知道的只有几件事：这是什么？对我有什么用？值不值这个价？买了以后怎么拿到？如果有问题找谁？",
            "把这些问题按顺序回答一遍，你的商品页就已经比大多数人写得好了。再配上一两条真实的读者评价，信任感就有了。",
            "最后，别忘了写清楚交付方式：付款后在“我的书架”里下载，文件支持手机和电脑阅读。越具体，退款越少。",
          ],
        },
      ],
    },
  },
];

export interface SeededLesson {
  titleZh: string;
  titleEn: string;
  bodyZh: string;
  bodyEn: string;
  videoUrl: string | null;
}

export const SEEDED_COURSE_SLUG = "notion-for-creators";

/**
 * The course's lessons, in order. The first embeds a short public sample video (Big Buck
 * Bunny, CC BY 3.0) so the lesson page's player shows; the others are text only.
 */
export const SEEDED_LESSONS: readonly SeededLesson[] = [
  {
    titleZh: "第 1 课：搭建你的选题库",
    titleEn: "Lesson 1: Build your topic bank",
    videoUrl: "https://www.w3schools.com/html/mov_bbb.mp4",
    bodyZh: `## 为什么需要选题库

灵感总是在不方便记录的时候出现。选题库就是一个随手能打开、随时能整理的地方。

## 动手做

1. 在 Notion 里新建一个数据库，命名为“选题库”。
2. 添加三个属性：**状态**（想法 / 写作中 / 已发布）、**平台**、**预计发布日期**。
3. 把手机上备忘录里的想法全部搬进来。

> 小提示：每条选题只写一句话，先求多，再求好。

延伸阅读：[Notion 官方数据库指南](https://www.notion.com/help/intro-to-databases)`,
    bodyEn: `## Why a topic bank

Ideas arrive when you cannot write them down. A topic bank is one place you can open and tidy at any moment.

## Build it

1. Create a Notion database called "Topic bank".
2. Add three properties: **Status** (idea / drafting / published), **Platform** and **Planned date**.
3. Move every idea from your phone's notes into it.

> Tip: one sentence per topic. Quantity first, quality later.

Further reading: [Notion's guide to databases](https://www.notion.com/help/intro-to-databases)`,
  },
  {
    titleZh: "第 2 课：做一张内容日历",
    titleEn: "Lesson 2: Make a content calendar",
    videoUrl: null,
    bodyZh: `## 从选题库到日历

把选题库切换成**日历视图**，按“预计发布日期”排列，一眼就能看到下个月要写什么。

## 每周节奏

- 周一：从选题库挑出本周的两个题目
- 周三：完成初稿
- 周五：修改、配图、定时发布

坚持四周，你会发现写作不再靠运气。`,
    bodyEn: `## From topic bank to calendar

Switch the topic bank to a **calendar view** ordered by planned date, and next month's writing is visible at a glance.

## A weekly rhythm

- Monday: pick this week's two topics from the bank
- Wednesday: finish the first drafts
- Friday: edit, add images, schedule

Keep it up for four weeks and writing stops depending on luck.`,
  },
  {
    titleZh: "第 3 课：用读者表管理你的老朋友",
    titleEn: "Lesson 3: Keep a reader list",
    videoUrl: null,
    bodyZh: `## 记住每一位读者

新建一个“读者表”，记录读者的称呼、从哪里认识你、买过什么、提过什么问题。

## 三个好用的视图

1. **最近互动**：按最后联系时间排序
2. **老买家**：筛选购买次数大于一次的读者
3. **待回复**：还没有回答的问题

每个月花半小时看一遍读者表，下一篇文章写什么，答案往往就在里面。`,
    bodyEn: `## Remember every reader

Create a "Readers" database: how to address them, where they found you, what they bought and what they asked.

## Three useful views

1. **Recent**: sorted by last contact
2. **Repeat buyers**: readers who bought more than once
3. **To answer**: questions still open

Spend half an hour a month on it; what to write next is usually in there.`,
  },
];

export interface SeededPost {
  titleZh: string;
  titleEn: string;
  bodyZh: string;
  bodyEn: string;
}

export const SEEDED_POST: SeededPost = {
  titleZh: "欢迎加入会员专栏",
  titleEn: "Welcome to the members' column",
  bodyZh: `感谢你成为会员！这里每周会更新一篇专栏文章，内容围绕一个人的生意：选题、定价、写作和复购。

## 你可以这样使用专栏

- 每周一更新，文章会出现在“我的会员”页面
- 有问题可以在每月答疑时提出
- 会员期间，所有历史文章都可以随时阅读

下周见！`,
  bodyEn: `Thank you for becoming a member! A new column comes out here every week about running a one-person business: topics, pricing, writing and repeat buyers.

## How to use the column

- A new post every Monday, listed on your "My membership" page
- Bring your questions to the monthly Q&A
- While your membership runs, every past post stays open to you

See you next week!`,
};

/** Every text above: the shipped font must draw each of their characters. */
export function deliverySeedTexts(): string[] {
  const books = SEEDED_BOOKS.flatMap(({ fileName, book }) => [
    fileName,
    book.title,
    book.subtitle ?? "",
    ...book.chapters.flatMap((c) => [c.heading, ...c.paragraphs]),
  ]);
  const course = SEEDED_LESSONS.flatMap((l) => [l.titleZh, l.titleEn, l.bodyZh, l.bodyEn]);
  const post = [SEEDED_POST.titleZh, SEEDED_POST.titleEn, SEEDED_POST.bodyZh, SEEDED_POST.bodyEn];
  return [...books, ...course, ...post];
}

export interface SeedDeliveryResult {
  filesCreated: number;
  lessonsCreated: number;
  postsCreated: number;
}

/**
 * Idempotent, and safe from several processes at once (one transaction-scoped advisory lock):
 * a product that already has files (or lessons) is left alone, and so are the posts once there
 * is one; a product missing from the catalogue, or no longer one-off, is skipped. A file's bytes
 * are stored before its row is inserted, so no row ever names missing bytes (a failed run leaves
 * at most an unreferenced object behind).
 */
export async function seedDelivery(db: Db, storage: FileStorage): Promise<SeedDeliveryResult> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('xiaopu.seed_delivery'))`);
    const result: SeedDeliveryResult = { filesCreated: 0, lessonsCreated: 0, postsCreated: 0 };

    for (const { slug, fileName, book } of SEEDED_BOOKS) {
      const productId = await oneOffProductId(tx, slug);
      if (!productId) continue;
      if ((await tx.$count(productFiles, eq(productFiles.productId, productId))) > 0) continue;
      const pdf = await makeBookPdf(book);
      const id = newId("fil");
      const storageKey = `files/${id}`;
      const stored = await storage.put(storageKey, new Blob([new Uint8Array(pdf)]).stream(), {
        contentType: "application/pdf",
        maxBytes: pdf.byteLength,
      });
      await tx.insert(productFiles).values({
        id,
        productId,
        productKind: "one_off",
        storageKey,
        fileName,
        contentType: "application/pdf",
        byteSize: stored.size,
        sha256: stored.sha256,
        position: 0,
      });
      result.filesCreated++;
    }

    const courseId = await oneOffProductId(tx, SEEDED_COURSE_SLUG);
    if (courseId && (await tx.$count(lessons, eq(lessons.productId, courseId))) === 0) {
      await tx.insert(lessons).values(
        SEEDED_LESSONS.map((lesson, position) => ({
          id: newId("les"),
          productId: courseId,
          productKind: "one_off" as const,
          position,
          ...lesson,
        })),
      );
      result.lessonsCreated = SEEDED_LESSONS.length;
    }

    if ((await tx.$count(memberPosts)) === 0) {
      await tx.insert(memberPosts).values({
        id: newId("pst"),
        ...SEEDED_POST,
        // The shop's clock (sandbox offset included): published as of the seed.
        publishedAt: shopNow(),
      });
      result.postsCreated = 1;
    }
    return result;
  });
}

async function oneOffProductId(db: Db, slug: string): Promise<string | null> {
  const [row] = await db
    .select({ id: products.id, kind: products.kind })
    .from(products)
    .where(eq(products.slug, slug));
  return row?.kind === "one_off" ? row.id : null;
}
