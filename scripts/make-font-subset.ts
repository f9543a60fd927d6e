/*
 * Builds lib/delivery/fonts/xiaopu-sc-subset.otf, the Chinese font the shop draws PDFs with
 * (lib/delivery/font.ts), from Noto Sans CJK SC Regular (SIL OFL 1.1):
 *
 *   npm run font:subset [-- /path/to/NotoSansCJK-Regular.ttc | NotoSansCJKsc-Regular.otf]
 *
 * Default source: Debian's fonts-noto-cjk (/usr/share/fonts/opentype/noto/). Only this script
 * reads it; the app reads the committed subset. Coverage: printable ASCII, common Chinese
 * punctuation, the 3,755 level-1 hanzi of GB 2312, and every character of the stamp line and of
 * the seeded texts (read from the modules that define them: edit a text, rerun, commit the font).
 *
 * Subsetting is HarfBuzz's (hb-subset, the WebAssembly build that the `subset-font` package
 * ships), called directly because `subset-font` has no option for the one flag the shop needs:
 * DESUBROUTINIZE. fontkit, which pdf-lib embeds fonts with, subsets CID-keyed CFF fonts wrongly
 * when they use subroutines (wrong or blank glyphs); a desubroutinized font embeds correctly.
 * No hinting (PDF viewers ignore CFF hints at these sizes) and no layout closure (no vertical or
 * alternate forms): the font stays under a megabyte.
 */
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import fontkit from "@pdf-lib/fontkit";
import { SHIPPED_FONT_FILE } from "@/lib/delivery/font";
import { distinctCodePoints, gb2312Level1 } from "@/lib/delivery/font-charset";
import { requiredFontText } from "@/lib/delivery/font-coverage";

const DEFAULT_SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
const FACE = "NotoSansCJKsc-Regular";

// hb-subset.h
const HB_MEMORY_MODE_WRITABLE = 2;
const HB_SUBSET_FLAGS_NO_HINTING = 0x1;
const HB_SUBSET_FLAGS_DESUBROUTINIZE = 0x4;
const HB_SUBSET_FLAGS_NO_LAYOUT_CLOSURE = 0x200;

/** The C functions of harfbuzz-subset.wasm this script calls (pointers are numbers). */
interface HarfBuzz {
  memory: WebAssembly.Memory;
  _initialize(): void;
  malloc(size: number): number;
  free(pointer: number): void;
  hb_blob_create(data: number, length: number, mode: number, user: number, destroy: number): number;
  hb_blob_destroy(blob: number): void;
  hb_blob_get_data(blob: number, length: number): number;
  hb_blob_get_length(blob: number): number;
  hb_face_create(blob: number, index: number): number;
  hb_face_destroy(face: number): void;
  hb_face_reference_blob(face: number): number;
  hb_set_add(set: number, codePoint: number): void;
  hb_subset_input_create_or_fail(): number;
  hb_subset_input_destroy(input: number): void;
  hb_subset_input_get_flags(input: number): number;
  hb_subset_input_set_flags(input: number, flags: number): void;
  hb_subset_input_unicode_set(input: number): number;
  hb_subset_or_fail(face: number, input: number): number;
}

async function loadHarfBuzz(): Promise<HarfBuzz> {
  const require = createRequire(import.meta.url);
  // subset-font's own HarfBuzz build: resolved from its folder, wherever npm put it.
  const fromSubsetFont = createRequire(require.resolve("subset-font"));
  const wasm = await readFile(fromSubsetFont.resolve("harfbuzzjs/dist/harfbuzz-subset.wasm"));
  const { instance } = await WebAssembly.instantiate(wasm);
  const hb = instance.exports as unknown as HarfBuzz;
  hb._initialize();
  return hb;
}

/** One face of a TrueType/OpenType collection (.ttc) as a standalone font file. */
function extractFace(collection: Uint8Array, postscriptName: string): Uint8Array {
  const view = new DataView(collection.buffer, collection.byteOffset, collection.byteLength);
  const names = (
    fontkit.create(collection) as unknown as { fonts: { postscriptName: string }[] }
  ).fonts.map((font) => font.postscriptName);
  const index = names.indexOf(postscriptName);
  if (index < 0)
    throw new Error(`${postscriptName} is not in the collection (${names.join(", ")})`);
  const start = view.getUint32(12 + 4 * index);
  const numTables = view.getUint16(start + 4);
  const tables = Array.from({ length: numTables }, (_, i) => {
    const record = start + 12 + 16 * i;
    return {
      record,
      offset: view.getUint32(record + 8),
      length: view.getUint32(record + 12),
    };
  });
  const headerLength = 12 + 16 * numTables;
  const padded = (n: number) => (n + 3) & ~3;
  const out = new Uint8Array(headerLength + tables.reduce((n, t) => n + padded(t.length), 0));
  const outView = new DataView(out.buffer);
  out.set(collection.subarray(start, start + headerLength), 0);
  let at = headerLength;
  tables.forEach((table, i) => {
    out.set(collection.subarray(table.offset, table.offset + table.length), at);
    outView.setUint32(12 + 16 * i + 8, at); // the table's offset in the new file
    at += padded(table.length);
  });
  return out;
}

function subset(hb: HarfBuzz, font: Uint8Array, codePoints: readonly number[]): Uint8Array {
  const input = hb.hb_subset_input_create_or_fail();
  if (input === 0) throw new Error("hb_subset_input_create_or_fail failed");
  const data = hb.malloc(font.byteLength);
  new Uint8Array(hb.memory.buffer).set(font, data);
  const blob = hb.hb_blob_create(data, font.byteLength, HB_MEMORY_MODE_WRITABLE, 0, 0);
  const face = hb.hb_face_create(blob, 0);
  hb.hb_blob_destroy(blob);
  try {
    const unicodes = hb.hb_subset_input_unicode_set(input);
    for (const codePoint of codePoints) hb.hb_set_add(unicodes, codePoint);
    hb.hb_subset_input_set_flags(
      input,
      hb.hb_subset_input_get_flags(input) |
        HB_SUBSET_FLAGS_DESUBROUTINIZE |
        HB_SUBSET_FLAGS_NO_HINTING |
        HB_SUBSET_FLAGS_NO_LAYOUT_CLOSURE,
    );
    const result = hb.hb_subset_or_fail(face, input);
    if (result === 0) throw new Error("hb_subset_or_fail failed: is the source font damaged?");
    const resultBlob = hb.hb_face_reference_blob(result);
    const pointer = hb.hb_blob_get_data(resultBlob, 0);
    const length = hb.hb_blob_get_length(resultBlob);
    // Copied out: the wasm memory may grow (and move) on the next call.
    const out = new Uint8Array(hb.memory.buffer, pointer, length).slice();
    hb.hb_blob_destroy(resultBlob);
    hb.hb_face_destroy(result);
    if (length === 0) throw new Error("the subset is empty");
    return out;
  } finally {
    hb.hb_subset_input_destroy(input);
    hb.hb_face_destroy(face);
    hb.free(data);
  }
}

async function main(): Promise<void> {
  const source = process.argv[2] ?? DEFAULT_SOURCE;
  const bytes = new Uint8Array(await readFile(source));
  const isCollection = new TextDecoder().decode(bytes.subarray(0, 4)) === "ttcf";
  const face = isCollection ? extractFace(bytes, FACE) : bytes;

  const required = distinctCodePoints(...requiredFontText());
  const wanted = distinctCodePoints(...requiredFontText(), gb2312Level1());
  const font = subset(await loadHarfBuzz(), face, wanted);

  const check = fontkit.create(font);
  const missing = required.filter((code) => !check.hasGlyphForCodePoint(code));
  if (missing.length > 0) {
    const list = missing.map((code) => String.fromCodePoint(code)).join(" ");
    throw new Error(`the source font has no glyph for: ${list}`);
  }
  await writeFile(SHIPPED_FONT_FILE, font);
  console.log(
    `font: ${path.relative(process.cwd(), SHIPPED_FONT_FILE)} — ${font.byteLength} bytes, ` +
      `${check.characterSet.length} characters (${required.length} required), from ${check.postscriptName}`,
  );
}

await main();
