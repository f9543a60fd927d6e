import { degrees, PDFDocument, PDFName, StandardFonts } from "pdf-lib";
import { describe, expect, it } from "vitest";
import { pdfPageCount, pdfPageTexts } from "@/tests/helpers/pdf-text";
import { STAMP_MAX_BYTES, stampLine, stampPdf } from "./pdf-stamp";

/** A plain multi-page PDF, as an owner might upload: Latin text in a standard font. */
async function samplePdf(pages: number, options: { rotate?: number } = {}): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const helvetica = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= pages; i++) {
    const page = doc.addPage([420, 595]);
    page.drawText(`Chapter ${i}`, { x: 50, y: 500, size: 18, font: helvetica });
    if (options.rotate) page.setRotation(degrees(options.rotate));
  }
  return doc.save();
}

const squash = (text: string) => text.replace(/\s+/g, "");

describe("stampLine", () => {
  it("names the buyer and the order", () => {
    expect(stampLine({ email: "li@example.com", orderNo: "XP20261201ABCDEFGHJK" })).toBe(
      "仅供 li@example.com 个人使用 · 订单号 XP20261201ABCDEFGHJK",
    );
  });

  it("leaves out the order when there is none (members' area files)", () => {
    expect(stampLine({ email: "li@example.com", orderNo: "" })).toBe(
      "仅供 li@example.com 个人使用",
    );
    expect(stampLine({ email: "li@example.com", orderNo: null })).toBe(
      "仅供 li@example.com 个人使用",
    );
  });
});

describe("stampPdf", () => {
  it("writes the buyer's line on every page, readable as text (Chinese included)", async () => {
    const original = await samplePdf(3);
    const line = stampLine({ email: "buyer.one@example.com", orderNo: "XP20261201K7M2Q9X4TB" });
    const stamped = await stampPdf(original, line);
    expect(stamped).not.toBeNull();
    expect(await pdfPageCount(stamped!)).toBe(3);
    const pages = await pdfPageTexts(stamped!);
    expect(pages).toHaveLength(3);
    pages.forEach((text, i) => {
      const flat = squash(text);
      expect(flat).toContain(`Chapter${i + 1}`); // the page's own content is still there
      expect(flat).toContain("buyer.one@example.com");
      expect(flat).toContain("仅供");
      expect(flat).toContain("个人使用");
      expect(flat).toContain("订单号");
      expect(flat).toContain("XP20261201K7M2Q9X4TB");
    });
    // The original said none of it.
    expect(squash((await pdfPageTexts(original)).join(""))).not.toContain("仅供");
  });

  it("produces a valid PDF that pdf-lib reopens, embedding only a font subset", async () => {
    const original = await samplePdf(2);
    const stamped = await stampPdf(original, stampLine({ email: "a@b.cn", orderNo: "XP1" }));
    const reopened = await PDFDocument.load(stamped!);
    expect(reopened.getPageCount()).toBe(2);
    // The whole font is ~0.8 MB; a subset of the line's few glyphs is a few KB.
    expect(stamped!.byteLength - original.byteLength).toBeLessThan(60_000);
  });

  it("replaces characters the font lacks with ? and still stamps", async () => {
    const line = stampLine({ email: "王😀龘@例子.cn", orderNo: "XP2" });
    const stamped = await stampPdf(await samplePdf(1), line);
    expect(stamped).not.toBeNull();
    const [text] = await pdfPageTexts(stamped!);
    expect(squash(text!)).toContain("仅供王??@例子.cn个人使用");
  });

  it("stamps along the shown bottom edge of rotated pages too", async () => {
    for (const rotate of [90, 180, 270]) {
      const stamped = await stampPdf(
        await samplePdf(1, { rotate }),
        stampLine({ email: `r${rotate}@example.com`, orderNo: "XP3" }),
      );
      const [text] = await pdfPageTexts(stamped!);
      expect(squash(text!)).toContain(`r${rotate}@example.com`);
    }
  });

  it("answers null for bytes that are not a PDF", async () => {
    const garbage = new Uint8Array(4096).map((_, i) => (i * 7919) % 251);
    expect(await stampPdf(garbage, "x")).toBeNull();
    expect(await stampPdf(new TextEncoder().encode("<!doctype html>book.pdf"), "x")).toBeNull();
    expect(await stampPdf(new Uint8Array(0), "x")).toBeNull();
  });

  it("answers null for an encrypted PDF (stamping would break it)", async () => {
    const doc = await PDFDocument.create();
    doc.addPage();
    const context = doc.context;
    context.trailerInfo.Encrypt = context.register(
      context.obj({ Filter: PDFName.of("Standard"), V: 1, R: 2, P: -4 }),
    );
    const encrypted = await doc.save({ useObjectStreams: false });
    expect(await stampPdf(encrypted, "x")).toBeNull();
  });

  it("does not stamp PDFs over the size cap", async () => {
    const big = new Uint8Array(STAMP_MAX_BYTES + 1);
    big.set(await samplePdf(1));
    expect(await stampPdf(big, "x")).toBeNull();
  });
});
