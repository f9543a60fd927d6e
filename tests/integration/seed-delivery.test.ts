import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { asc, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lessons, memberPosts, productFiles, products } from "@/db/schema";
import {
  SEEDED_BOOKS,
  SEEDED_COURSE_SLUG,
  SEEDED_LESSONS,
  SEEDED_POST,
  seedDelivery,
} from "@/db/seed-delivery";
import { sniffDeliveryType } from "@/lib/delivery/file-type";
import { localStorage } from "@/lib/storage/local";
import type { FileStorage } from "@/lib/storage/types";
import { seed, withTestDatabase } from "../helpers/db";
import { pdfPageCount, pdfText } from "../helpers/pdf-text";

const t = withTestDatabase();

let root: string;
let storage: FileStorage;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "xiaopu-seed-delivery-"));
  storage = localStorage(root);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function read(key: string): Promise<Uint8Array> {
  const object = await storage.get(key);
  if (!object) throw new Error(`no object at ${key}`);
  return new Uint8Array(await new Response(object.body).arrayBuffer());
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

async function productId(slug: string): Promise<string> {
  const [row] = await t.db().select().from(products).where(eq(products.slug, slug));
  return row!.id;
}

describe("seedDelivery", () => {
  it("stores each e-book's PDF and records its real size and SHA-256", async () => {
    await seed(t.db());
    const result = await seedDelivery(t.db(), storage);
    expect(result).toEqual({ filesCreated: 2, lessonsCreated: 3, postsCreated: 1 });

    for (const { slug, fileName, book } of SEEDED_BOOKS) {
      const rows = await t
        .db()
        .select()
        .from(productFiles)
        .where(eq(productFiles.productId, await productId(slug)));
      expect(rows).toHaveLength(1);
      const file = rows[0]!;
      expect(file.fileName).toBe(fileName);
      expect(file.fileName).toMatch(/[\u4e00-\u9fff]+\.pdf$/);
      expect(file.storageKey).toBe(`files/${file.id}`);
      expect(file.id).toMatch(/^fil_/);
      expect(file.contentType).toBe("application/pdf");
      expect(file.productKind).toBe("one_off");

      const bytes = await read(file.storageKey);
      expect(bytes.byteLength).toBe(file.byteSize);
      expect(sha256(bytes)).toBe(file.sha256);
      expect(sniffDeliveryType(bytes.subarray(0, 64))).toBe("application/pdf");
      expect(await pdfPageCount(bytes)).toBeGreaterThan(1);
      expect((await pdfText(bytes)).replace(/\s+/g, "")).toContain(book.title);
    }
  });

  it("creates the course's three lessons in order and one published members' post", async () => {
    await seed(t.db());
    await seedDelivery(t.db(), storage);

    const rows = await t
      .db()
      .select()
      .from(lessons)
      .where(eq(lessons.productId, await productId(SEEDED_COURSE_SLUG)))
      .orderBy(asc(lessons.position));
    expect(rows.map((l) => [l.position, l.titleZh, l.titleEn])).toEqual(
      SEEDED_LESSONS.map((l, i) => [i, l.titleZh, l.titleEn]),
    );
    for (const lesson of rows) {
      expect(lesson.id).toMatch(/^les_/);
      expect(lesson.bodyZh).toMatch(/^## /m);
      expect(lesson.bodyEn).toMatch(/^## /m);
      expect(lesson.videoUrl === null || lesson.videoUrl.startsWith("https://")).toBe(true);
    }

    const posts = await t.db().select().from(memberPosts);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.titleZh).toBe(SEEDED_POST.titleZh);
    expect(posts[0]!.publishedAt).toBeInstanceOf(Date);
  });

  it("is idempotent: a second run creates nothing and stores no new bytes", async () => {
    await seed(t.db());
    await seedDelivery(t.db(), storage);
    const before = {
      files: await t.db().select().from(productFiles).orderBy(asc(productFiles.id)),
      lessons: await t.db().select().from(lessons).orderBy(asc(lessons.id)),
      posts: await t.db().select().from(memberPosts).orderBy(asc(memberPosts.id)),
    };
    const again = await seedDelivery(t.db(), storage);
    expect(again).toEqual({ filesCreated: 0, lessonsCreated: 0, postsCreated: 0 });
    expect({
      files: await t.db().select().from(productFiles).orderBy(asc(productFiles.id)),
      lessons: await t.db().select().from(lessons).orderBy(asc(lessons.id)),
      posts: await t.db().select().from(memberPosts).orderBy(asc(memberPosts.id)),
    }).toEqual(before);
  });

  it("leaves alone a product that already has content, and the posts once one exists", async () => {
    await seed(t.db());
    const book = await productId(SEEDED_BOOKS[0]!.slug);
    await t
      .db()
      .insert(productFiles)
      .values({
        id: "fil_owner0000000000000000",
        productId: book,
        productKind: "one_off",
        storageKey: "files/fil_owner0000000000000000",
        fileName: "店主上传.pdf",
        contentType: "application/pdf",
        byteSize: 10,
        sha256: "0".repeat(64),
      });
    await t.db().insert(memberPosts).values({ id: "pst_draft", titleZh: "草稿", titleEn: "Draft" });

    const result = await seedDelivery(t.db(), storage);
    expect(result).toEqual({ filesCreated: 1, lessonsCreated: 3, postsCreated: 0 });
    const bookFiles = await t
      .db()
      .select()
      .from(productFiles)
      .where(eq(productFiles.productId, book));
    expect(bookFiles.map((f) => f.fileName)).toEqual(["店主上传.pdf"]);
    expect(await t.db().$count(memberPosts)).toBe(1);
  });

  it("two seeds racing create each file, lesson and post once", async () => {
    await seed(t.db());
    const results = await Promise.all([
      seedDelivery(t.db(), storage),
      seedDelivery(t.db(), storage),
      seedDelivery(t.db(), storage),
    ]);
    expect(results.reduce((n, r) => n + r.filesCreated, 0)).toBe(2);
    expect(results.reduce((n, r) => n + r.lessonsCreated, 0)).toBe(3);
    expect(results.reduce((n, r) => n + r.postsCreated, 0)).toBe(1);
    expect(await t.db().$count(productFiles)).toBe(2);
    expect(await t.db().$count(lessons)).toBe(3);
  });

  it("stores the bytes before the row: a failed write leaves no row behind", async () => {
    await seed(t.db());
    const failing: FileStorage = {
      ...storage,
      put: async () => {
        throw new Error("disk full");
      },
    };
    await expect(seedDelivery(t.db(), failing)).rejects.toThrow("disk full");
    expect(await t.db().$count(productFiles)).toBe(0);
    expect(await t.db().$count(lessons)).toBe(0); // one transaction: nothing half-seeded
  });

  it("does nothing for products missing from the catalogue", async () => {
    const result = await seedDelivery(t.db(), storage);
    expect(result).toEqual({ filesCreated: 0, lessonsCreated: 0, postsCreated: 1 });
  });
});
