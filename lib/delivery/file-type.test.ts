import { PDFDocument } from "pdf-lib";
import { describe, expect, it } from "vitest";
import { SNIFF_BYTES, sniffDeliveryType } from "./file-type";

const text = (s: string) => new TextEncoder().encode(s);
const bytes = (...values: number[]) => new Uint8Array(values);

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const u16 = (n: number) => bytes(n & 0xff, (n >> 8) & 0xff);
const u32 = (n: number) => bytes(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff);

/** A ZIP local file header and its data, as a ZIP writer lays it out (APPNOTE 4.3.7). */
function localEntry(
  name: string,
  data: string,
  options: { method?: number; flags?: number; extra?: Uint8Array; sizes?: number } = {},
): Uint8Array {
  const extra = options.extra ?? new Uint8Array(0);
  const size = options.sizes ?? data.length;
  return concat(
    text("PK\x03\x04"),
    u16(10), // version needed
    u16(options.flags ?? 0),
    u16(options.method ?? 0),
    u16(0), // time
    u16(0), // date
    u32(0), // crc-32 (not checked by the sniffer)
    u32(size),
    u32(size),
    u16(name.length),
    u16(extra.length),
    text(name),
    extra,
    text(data),
  );
}

const emptyZip = concat(text("PK\x05\x06"), new Uint8Array(18));
const epub = concat(
  localEntry("mimetype", "application/epub+zip"),
  localEntry("META-INF/container.xml", "<?xml version='1.0'?>"),
);

const cases: [name: string, head: Uint8Array, expected: string | null][] = [
  ["a PDF 1.7 header", text("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), "application/pdf"],
  ["a PDF 2.0 header", text("%PDF-2.0\r\n"), "application/pdf"],
  ["an EPUB (OCF: stored mimetype first)", epub, "application/epub+zip"],
  [
    "an EPUB whose writer used a data descriptor (sizes zero)",
    localEntry("mimetype", "application/epub+zip", { flags: 0x0008, sizes: 0 }),
    "application/epub+zip",
  ],
  ["a plain ZIP", localEntry("chapter-1.md", "# One"), "application/zip"],
  ["an empty ZIP (only the end record)", emptyZip, "application/zip"],
  [
    "a ZIP whose mimetype is deflated (not an EPUB)",
    localEntry("mimetype", "application/epub+zip", { method: 8 }),
    "application/zip",
  ],
  [
    "a ZIP whose mimetype has an extra field (not an EPUB)",
    localEntry("mimetype", "application/epub+zip", { extra: bytes(0x55, 0x54, 0, 0) }),
    "application/zip",
  ],
  [
    "a ZIP whose mimetype is encrypted (not an EPUB)",
    localEntry("mimetype", "application/epub+zip", { flags: 0x0001 }),
    "application/zip",
  ],
  [
    "a ZIP whose mimetype has a trailing newline (not an EPUB)",
    localEntry("mimetype", "application/epub+zip\n"),
    "application/zip",
  ],
  [
    "a ZIP whose first entry is not the mimetype (not an EPUB)",
    concat(localEntry("META-INF/container.xml", "<x/>"), epub),
    "application/zip",
  ],
  ["a Windows executable (MZ)", concat(text("MZ\x90\x00\x03"), new Uint8Array(59)), null],
  ["a PNG image", bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13), null],
  ["an HTML page named book.pdf", text("<!doctype html><title>book.pdf</title>"), null],
  ["plain text that mentions %PDF-1.7", text("see %PDF-1.7 in the spec"), null],
  ["a PDF header with leading whitespace", text(" %PDF-1.7\n"), null],
  ["a truncated PDF header", text("%PDF-"), null],
  ["a PDF header without a version", text("%PDF-x.y\n"), null],
  ["a truncated ZIP header", text("PK\x03\x04\x14\x00"), null],
  ["a truncated empty-ZIP record", text("PK\x05\x06"), null],
  ["a spanned-archive marker", concat(text("PK\x07\x08"), new Uint8Array(40)), null],
  ["a UTF-8 BOM and text", text("\ufeffhello"), null],
  ["nothing", new Uint8Array(0), null],
];

describe("sniffDeliveryType", () => {
  it.each(cases)("%s", (_name, head, expected) => {
    expect(sniffDeliveryType(head)).toBe(expected);
    // The caller hands over at most SNIFF_BYTES; the answer must not change.
    expect(sniffDeliveryType(head.subarray(0, SNIFF_BYTES))).toBe(expected);
  });

  it("reads a PDF that pdf-lib wrote", async () => {
    const doc = await PDFDocument.create();
    doc.addPage();
    const pdf = await doc.save();
    expect(sniffDeliveryType(pdf.subarray(0, SNIFF_BYTES))).toBe("application/pdf");
  });

  it("needs no more than SNIFF_BYTES to tell an EPUB", () => {
    expect(SNIFF_BYTES).toBeGreaterThanOrEqual(30 + "mimetype".length + 20);
    expect(SNIFF_BYTES).toBeLessThanOrEqual(4096);
  });
});
