import { createHash } from "node:crypto";
import { PDFDocument } from "pdf-lib";
import { describe, expect, it } from "vitest";
import { SEEDED_BOOKS } from "@/db/seed-delivery";
import { pdfPageCount, pdfPageTexts, pdfText } from "@/tests/helpers/pdf-text";
import { breakUnits, makeBookPdf, wrapText, type Book } from "./book-pdf";
import { shippedFont } from "./font";

const squash = (text: string) => text.replace(/\s+/g, "");
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

const book: Book = {
  title: "测试之书",
  subtitle: "一本只为测试而写的小书",
  chapters: [
    {
      heading: "第一章　开始",
      paragraphs: [
        "这是第一段。它足够长，会折成好几行：一个人的生意，靠的不是流量，而是信任。把每一位买家当成朋友，生意自然会慢慢长大。",
        "Latin words like Notion and e-mail addresses such as reader@example.com stay whole.",
      ],
    },
    { heading: "第二章　结束", paragraphs: ["最后一段。"] },
  ],
};

describe("makeBookPdf", () => {
  it("makes a real PDF: a title page, then the chapters with their text", async () => {
    const pdf = await makeBookPdf(book);
    expect(await pdfPageCount(pdf)).toBe(3); // title + one page per chapter
    const pages = await pdfPageTexts(pdf);
    expect(squash(pages[0]!)).toContain("测试之书");
    expect(squash(pages[0]!)).toContain("一本只为测试而写的小书");
    const all = squash(await pdfText(pdf));
    for (const paragraph of book.chapters.flatMap((c) => c.paragraphs)) {
      expect(all).toContain(squash(paragraph));
    }
    // Page numbers on the text pages.
    expect(pages[1]!.trim()).toMatch(/\b1$/);
    expect(pages[2]!.trim()).toMatch(/\b2$/);
    const doc = await PDFDocument.load(pdf);
    expect(doc.getTitle()).toBe("测试之书");
    expect(doc.getPage(0).getWidth()).toBeCloseTo(419.53, 1); // A5
  });

  it("gives the same bytes for the same book (a seed stores the same SHA-256 every run)", async () => {
    const [a, b] = await Promise.all([makeBookPdf(book), makeBookPdf(book)]);
    expect(sha256(a)).toBe(sha256(b));
    const other = await makeBookPdf({ ...book, title: "另一本书" });
    expect(sha256(other)).not.toBe(sha256(a));
  });

  it("lays the seeded e-books out on a few pages", async () => {
    for (const { book: seeded } of SEEDED_BOOKS) {
      const pdf = await makeBookPdf(seeded);
      const pages = await pdfPageCount(pdf);
      expect(pages).toBeGreaterThanOrEqual(3);
      expect(pages).toBeLessThanOrEqual(8);
      expect(squash(await pdfText(pdf))).toContain(squash(seeded.chapters[0]!.paragraphs[0]!));
    }
  });
});

describe("wrapText", () => {
  it("breaks CJK between characters and never inside a Latin word", async () => {
    const doc = await PDFDocument.create();
    const { default: fontkit } = await import("@pdf-lib/fontkit");
    doc.registerFontkit(fontkit);
    const font = await doc.embedFont((await shippedFont()).bytes, { subset: true });
    const text = "我们用 Notion 搭建 content calendar，然后写 reader@example.com 的回信。".repeat(
      3,
    );
    const width = 120;
    const lines = wrapText(text, font, 10, width);
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      expect(font.widthOfTextAtSize(line, 10)).toBeLessThanOrEqual(width);
      expect(line).not.toMatch(/^[，。、]/); // no closing punctuation opens a line
    }
    const words = lines.join("\n").match(/[A-Za-z@.]+/g) ?? [];
    for (const word of words)
      expect(["Notion", "content", "calendar", "reader@example.com"]).toContain(word);
    expect(squash(lines.join(""))).toBe(squash(text));
  });

  it("glues closing punctuation to the character before and opening to the one after", () => {
    expect(breakUnits("好，“是”。")).toEqual(["好，", "“是”。"]);
    expect(breakUnits("（括号）")).toEqual(["（括", "号）"]);
    expect(breakUnits("Hi there")).toEqual(["Hi", " ", "there"]);
  });
});
