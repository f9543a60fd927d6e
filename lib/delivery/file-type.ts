import "server-only";
import type { DeliveryContentType } from "@/db/schema/delivery";

/**
 * What an uploaded delivery file is, read from its first bytes — never from its name or the
 * browser's Content-Type, which anyone can set: a renamed `.exe` or an HTML page called
 * `book.pdf` is refused, so the shop never hands a buyer something other than it says. Pure.
 *
 * - PDF: `%PDF-` and a version (`1.7`, `2.0`) at offset 0. (Readers tolerate junk before the header; a
 *   file made for sale has none, and refusing it is the safe side.)
 * - EPUB: a ZIP whose first local file entry is the OCF `mimetype` file — stored (not
 *   compressed), not encrypted, no extra field, holding exactly `application/epub+zip`
 *   (EPUB OCF 3.x, "ZIP container"). A ZIP that breaks any of those rules is still a ZIP.
 * - ZIP: a local file header `PK\x03\x04`, or `PK\x05\x06`, the end record of an empty archive.
 */

/** The most bytes `sniffDeliveryType` reads: the EPUB rule ends at byte 58. */
export const SNIFF_BYTES = 64;

const EPUB_MIMETYPE = "application/epub+zip";
const MIMETYPE_NAME = "mimetype";

// ZIP local file header (APPNOTE 4.3.7): offsets of the fields the OCF rule looks at.
const ZIP_FLAGS = 6;
const ZIP_METHOD = 8;
const ZIP_COMPRESSED_SIZE = 18;
const ZIP_UNCOMPRESSED_SIZE = 22;
const ZIP_NAME_LENGTH = 26;
const ZIP_EXTRA_LENGTH = 28;
const ZIP_NAME = 30;
const ZIP_FLAG_ENCRYPTED = 0x0001;
const ZIP_FLAG_DATA_DESCRIPTOR = 0x0008;

const u16le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const u32le = (b: Uint8Array, at: number) =>
  (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

function asciiAt(bytes: Uint8Array, at: number, text: string): boolean {
  if (bytes.length < at + text.length) return false;
  for (let i = 0; i < text.length; i++) {
    if (bytes[at + i] !== text.charCodeAt(i)) return false;
  }
  return true;
}

const isDigit = (byte: number | undefined) => byte !== undefined && byte >= 0x30 && byte <= 0x39;

function isEpub(head: Uint8Array): boolean {
  const content = ZIP_NAME + MIMETYPE_NAME.length;
  if (head.length < content + EPUB_MIMETYPE.length) return false;
  const flags = u16le(head, ZIP_FLAGS);
  if (flags & ZIP_FLAG_ENCRYPTED) return false;
  if (u16le(head, ZIP_METHOD) !== 0) return false; // 0: stored
  if (u16le(head, ZIP_NAME_LENGTH) !== MIMETYPE_NAME.length) return false;
  if (u16le(head, ZIP_EXTRA_LENGTH) !== 0) return false;
  if (!asciiAt(head, ZIP_NAME, MIMETYPE_NAME)) return false;
  // With a data descriptor the sizes come after the data (zero here); otherwise they must be
  // exactly the string's length: "application/epub+zip\n" is not an EPUB.
  if (!(flags & ZIP_FLAG_DATA_DESCRIPTOR)) {
    if (u32le(head, ZIP_COMPRESSED_SIZE) !== EPUB_MIMETYPE.length) return false;
    if (u32le(head, ZIP_UNCOMPRESSED_SIZE) !== EPUB_MIMETYPE.length) return false;
  }
  return asciiAt(head, content, EPUB_MIMETYPE);
}

/** The delivery type of a file from its first bytes (at least `SNIFF_BYTES` when it has them). */
export function sniffDeliveryType(head: Uint8Array): DeliveryContentType | null {
  if (asciiAt(head, 0, "%PDF-") && isDigit(head[5]) && head[6] === 0x2e && isDigit(head[7])) {
    return "application/pdf";
  }
  // A local file header is at least 30 bytes; anything shorter is not an archive.
  if (asciiAt(head, 0, "PK\x03\x04") && head.length >= ZIP_NAME) {
    return isEpub(head) ? "application/epub+zip" : "application/zip";
  }
  // An empty archive is only its 22-byte end record.
  if (asciiAt(head, 0, "PK\x05\x06") && head.length >= 22) return "application/zip";
  return null;
}
