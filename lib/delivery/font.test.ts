import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fontkit from "@pdf-lib/fontkit";
import { describe, expect, it } from "vitest";
import { SEEDED_BOOKS, SEEDED_LESSONS, SEEDED_POST } from "@/db/seed-delivery";
import { drawableText, SHIPPED_FONT_FILE, shippedFont } from "./font";
import { distinctCodePoints, gb2312Level1 } from "./font-charset";
import { requiredFontText } from "./font-coverage";
import { stampLine } from "./pdf-stamp";

const font = fontkit.create(new Uint8Array(readFileSync(SHIPPED_FONT_FILE)));

const missingFrom = (...texts: string[]) =>
  distinctCodePoints(...texts)
    .filter((code) => !font.hasGlyphForCodePoint(code))
    .map((code) => String.fromCodePoint(code));

describe("the shipped font", () => {
  it("has a glyph for every character of the stamp line and the seeded texts", () => {
    // After editing a seeded text: `npm run font:subset`, then commit the font.
    expect(missingFrom(...requiredFontText())).toEqual([]);
    expect(missingFrom(stampLine({ email: "a@b.cn", orderNo: "XP1" }))).toEqual([]);
    expect(missingFrom(SEEDED_POST.bodyZh, ...SEEDED_LESSONS.map((l) => l.bodyZh))).toEqual([]);
    expect(
      missingFrom(...SEEDED_BOOKS.flatMap((b) => b.book.chapters.flatMap((c) => c.paragraphs))),
    ).toEqual([]);
  });

  it("covers the common hanzi, and is a subset (the full Noto font is ~16 MB)", () => {
    expect(missingFrom(gb2312Level1())).toEqual([]);
    expect(font.hasGlyphForCodePoint("龘".codePointAt(0)!)).toBe(false);
    expect(readFileSync(SHIPPED_FONT_FILE).byteLength).toBeLessThan(1.5 * 1024 * 1024);
  });

  it("is CFF without subroutines, which fontkit (pdf-lib's subsetter) embeds correctly", () => {
    // fontkit's CFF subsetter mixes up the subroutines of CID-keyed fonts (lib/delivery/font.ts).
    const cff = (font as unknown as Record<string, unknown>)["CFF "] as {
      globalSubrIndex: unknown[];
      topDict: { FDArray?: { Private?: { Subrs?: unknown[] } | null }[] };
    };
    expect(cff.globalSubrIndex.length).toBe(0);
    const localSubrs = (cff.topDict.FDArray ?? []).map((fd) => fd.Private?.Subrs?.length ?? 0);
    expect(localSubrs.every((n) => n === 0)).toBe(true);
  });

  it("is read from the repository, never from the machine's font folders", () => {
    expect(SHIPPED_FONT_FILE.startsWith(process.cwd() + path.sep)).toBe(true);
    const here = path.join(process.cwd(), "lib", "delivery");
    for (const file of readdirSync(here).filter(
      (f) => f.endsWith(".ts") && !f.includes(".test."),
    )) {
      expect(readFileSync(path.join(here, file), "utf8"), file).not.toContain("/usr/share/fonts");
    }
  });

  it("loads once and answers which characters it draws", async () => {
    const first = await shippedFont();
    expect(await shippedFont()).toBe(first);
    expect(first.codePoints.has("仅".codePointAt(0)!)).toBe(true);
    expect(drawableText("仅供 a😀b 龘\u0007", first.codePoints)).toBe("仅供 a?b ??");
  });

  it("GB 2312 level 1 is its 3,755 distinct hanzi", () => {
    const chars = [...gb2312Level1()];
    expect(chars).toHaveLength(3755);
    expect(new Set(chars).size).toBe(3755);
    expect(chars[0]).toBe("啊");
    expect(chars.at(-1)).toBe("座");
  });
});
