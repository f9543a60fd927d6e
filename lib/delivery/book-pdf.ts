import "server-only";
import fontkit from "@pdf-lib/fontkit";
import { PDFDocument, rgb, type PDFFont, type PDFPage } from "pdf-lib";
import { drawableText, shippedFont } from "./font";

/*
 * A small, real e-book PDF made from text (the seeded e-books, db/seed-delivery.ts): a title
 * page, then the chapters on A5 pages with page numbers, in the shipped Chinese font. The same
 * input gives the same bytes (fixed dates, no random ids), so a seed stores the same SHA-256
 * every time it runs.
 */

export interface BookChapter {
  heading: string;
  paragraphs: readonly string[];
}

export interface Book {
  title: string;
  subtitle?: string;
  chapters: readonly BookChapter[];
}

/** A5 in points. */
const PAGE = { width: 419.53, height: 595.28 };
const MARGIN = { top: 56, bottom: 56, side: 48 };
const BODY = { size: 10.5, leading: 18, paragraphGap: 7 };
const HEADING = { size: 15, leading: 24, after: 14 };
const INK = rgb(0.13, 0.13, 0.13);
const MUTED = rgb(0.45, 0.45, 0.45);
/** A fixed instant: the PDF's creation and modification dates (determinism). */
const FIXED_DATE = new Date("2026-01-01T00:00:00.000Z");

export async function makeBookPdf(book: Book): Promise<Uint8Array> {
  const { bytes, codePoints } = await shippedFont();
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.registerFontkit(fontkit);
  // A fixed name: pdf-lib would otherwise add a suffix (from a seeded, so stable, generator).
  const font = await doc.embedFont(bytes, { subset: true, customName: "XiaopuSC" });
  const clean = (text: string) => drawableText(text, codePoints);

  doc.setTitle(clean(book.title));
  doc.setCreator("Xiaopu");
  doc.setProducer("Xiaopu (pdf-lib)");
  doc.setCreationDate(FIXED_DATE);
  doc.setModificationDate(FIXED_DATE);

  titlePage(
    doc.addPage([PAGE.width, PAGE.height]),
    font,
    clean(book.title),
    book.subtitle === undefined ? undefined : clean(book.subtitle),
  );

  const textWidth = PAGE.width - 2 * MARGIN.side;
  let page = doc.addPage([PAGE.width, PAGE.height]);
  let y = PAGE.height - MARGIN.top;
  const room = (height: number) => y - height >= MARGIN.bottom;
  const newPage = () => {
    page = doc.addPage([PAGE.width, PAGE.height]);
    y = PAGE.height - MARGIN.top;
  };

  book.chapters.forEach((chapter, index) => {
    // Each chapter opens a page (the first one already has its own).
    if (index > 0) newPage();
    for (const line of wrapText(clean(chapter.heading), font, HEADING.size, textWidth)) {
      page.drawText(line, {
        x: MARGIN.side,
        y: y - HEADING.size,
        size: HEADING.size,
        font,
        color: INK,
      });
      y -= HEADING.leading;
    }
    y -= HEADING.after;
    for (const paragraph of chapter.paragraphs) {
      // Chinese paragraphs open with a two-character indent.
      const lines = wrapText(clean(paragraph), font, BODY.size, textWidth, 2 * BODY.size);
      lines.forEach((line, i) => {
        if (!room(BODY.leading)) newPage();
        const indent = i === 0 ? 2 * BODY.size : 0;
        page.drawText(line, {
          x: MARGIN.side + indent,
          y: y - BODY.size,
          size: BODY.size,
          font,
          color: INK,
        });
        y -= BODY.leading;
      });
      y -= BODY.paragraphGap;
    }
  });

  const pages = doc.getPages();
  // Page numbers on the text pages, counted from the first of them.
  pages.slice(1).forEach((p, i) => pageNumber(p, font, i + 1));
  return doc.save();
}

function titlePage(page: PDFPage, font: PDFFont, title: string, subtitle?: string): void {
  const width = PAGE.width - 2 * MARGIN.side;
  let y = PAGE.height * 0.62;
  for (const line of wrapText(title, font, 22, width)) {
    centred(page, font, line, 22, y, INK);
    y -= 34;
  }
  if (subtitle) {
    y -= 6;
    for (const line of wrapText(subtitle, font, 11, width)) {
      centred(page, font, line, 11, y, MUTED);
      y -= 18;
    }
  }
}

function pageNumber(page: PDFPage, font: PDFFont, n: number): void {
  centred(page, font, String(n), 8, MARGIN.bottom / 2, MUTED);
}

function centred(
  page: PDFPage,
  font: PDFFont,
  text: string,
  size: number,
  y: number,
  color: ReturnType<typeof rgb>,
): void {
  const x = (PAGE.width - font.widthOfTextAtSize(text, size)) / 2;
  page.drawText(text, { x, y, size, font, color });
}

/** Never at the start of a line (closing punctuation): kept with the character before. */
const NO_LINE_START = new Set([..."，。、；：！？）》〉】」』”’…—·%,.;:!?)]}"]);
/** Never at the end of a line (opening punctuation): kept with the character after. */
const NO_LINE_END = new Set([..."（《〈【「『“‘([{"]);
/** A run of Latin letters, digits and word-internal marks: wrapped as one piece. */
const LATIN = /[A-Za-z0-9@._\-+/:'&#%=~]/;

/**
 * Breakable pieces of a line of text: each CJK character alone, a Latin word whole, a space
 * alone; closing punctuation glued to what precedes it, opening punctuation to what follows.
 */
export function breakUnits(text: string): string[] {
  const raw: string[] = [];
  for (const char of text) {
    const last = raw.at(-1);
    if (last !== undefined && LATIN.test(char) && LATIN.test(last.at(-1)!)) {
      raw[raw.length - 1] = last + char;
    } else {
      raw.push(char);
    }
  }
  const units: string[] = [];
  let carry = "";
  for (const unit of raw) {
    if (NO_LINE_START.has(unit) && units.length > 0 && carry === "") {
      units[units.length - 1] += unit;
    } else if (NO_LINE_END.has(unit)) {
      carry += unit;
    } else {
      units.push(carry + unit);
      carry = "";
    }
  }
  if (carry) units.push(carry);
  return units;
}

/**
 * `text` broken into lines no wider than `width` (the first `firstIndent` narrower): CJK
 * breaks between any two characters, Latin words stay whole unless one alone is too wide.
 */
export function wrapText(
  text: string,
  font: PDFFont,
  size: number,
  width: number,
  firstIndent = 0,
): string[] {
  const lines: string[] = [];
  let line = "";
  const limit = () => width - (lines.length === 0 ? firstIndent : 0);
  const fits = (candidate: string) => font.widthOfTextAtSize(candidate, size) <= limit();
  for (const unit of breakUnits(text)) {
    if (fits(line + unit)) {
      line += unit;
      continue;
    }
    if (line.trim() !== "") lines.push(line.trimEnd());
    line = unit === " " ? "" : unit;
    // A piece wider than a whole line (a very long word or address) is cut by character.
    while (!fits(line) && [...line].length > 1) {
      const chars = [...line];
      let cut = chars.length - 1;
      while (cut > 1 && !fits(chars.slice(0, cut).join(""))) cut--;
      lines.push(chars.slice(0, cut).join(""));
      line = chars.slice(cut).join("");
    }
  }
  if (line.trim() !== "") lines.push(line.trimEnd());
  return lines;
}
