import { createHash } from "node:crypto";

/**
 * What an uploaded cover is, read from its bytes: the type from the file's signature (never the
 * name or the client's Content-Type, which anyone can forge) and the size from its header. Only
 * PNG, JPEG and WebP are accepted; a file whose header cannot be read whole is refused, so a
 * renamed text file or a truncated image never becomes a cover. Pure.
 */

export type CoverContentType = "image/png" | "image/jpeg" | "image/webp";

/** Sides above this are refused: a cover is shown at most 1200 px wide. */
export const COVER_MAX_SIDE = 8000;

export interface SniffedImage {
  contentType: CoverContentType;
  width: number;
  height: number;
}

export type CoverRefusal = "cover.empty" | "cover.type" | "cover.dimensions";

export interface CoverImageFacts extends SniffedImage {
  sha256: string;
  byteSize: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  return prefix.every((byte, i) => bytes[at + i] === byte);
}

const ascii = (bytes: Uint8Array, at: number, length: number) =>
  bytes.length < at + length ? "" : String.fromCharCode(...bytes.subarray(at, at + length));

const u16be = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!;
const u16le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const u24le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
const u32be = (b: Uint8Array, at: number) =>
  ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

function png(bytes: Uint8Array): SniffedImage | null {
  // The signature, then the IHDR chunk first (length 13): width and height, big-endian.
  if (bytes.length < 24 || ascii(bytes, 12, 4) !== "IHDR") return null;
  return { contentType: "image/png", width: u32be(bytes, 16), height: u32be(bytes, 20) };
}

/** Start-of-frame markers carry the size; C4 (Huffman), C8 (reserved) and CC (arithmetic) do not. */
const isStartOfFrame = (marker: number) =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

function jpeg(bytes: Uint8Array): SniffedImage | null {
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1]!;
    // Fill bytes and markers without a length.
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null; // end, or scan data before any frame
    const length = u16be(bytes, at + 2);
    if (length < 2) return null;
    if (isStartOfFrame(marker)) {
      if (at + 9 > bytes.length) return null;
      return {
        contentType: "image/jpeg",
        height: u16be(bytes, at + 5),
        width: u16be(bytes, at + 7),
      };
    }
    at += 2 + length;
  }
  return null;
}

function webp(bytes: Uint8Array): SniffedImage | null {
  const chunk = ascii(bytes, 12, 4);
  if (chunk === "VP8 " && bytes.length >= 30 && startsWith(bytes, [0x9d, 0x01, 0x2a], 23)) {
    return {
      contentType: "image/webp",
      width: u16le(bytes, 26) & 0x3fff,
      height: u16le(bytes, 28) & 0x3fff,
    };
  }
  if (chunk === "VP8L" && bytes.length >= 25 && bytes[20] === 0x2f) {
    const bits = (bytes[21]! | (bytes[22]! << 8) | (bytes[23]! << 16) | (bytes[24]! << 24)) >>> 0;
    return {
      contentType: "image/webp",
      width: (bits & 0x3fff) + 1,
      height: ((bits >>> 14) & 0x3fff) + 1,
    };
  }
  if (chunk === "VP8X" && bytes.length >= 30) {
    return {
      contentType: "image/webp",
      width: u24le(bytes, 24) + 1,
      height: u24le(bytes, 27) + 1,
    };
  }
  return null;
}

/** The image's type and size from its bytes, or null when it is not a readable PNG/JPEG/WebP. */
export function sniffImage(bytes: Uint8Array): SniffedImage | null {
  if (startsWith(bytes, PNG_SIGNATURE)) return png(bytes);
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return jpeg(bytes);
  if (ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 4) === "WEBP") return webp(bytes);
  return null;
}

/**
 * Checks an upload (already within the size cap) and names it by content: a refusal code, or
 * the facts to store.
 */
export function inspectCover(
  bytes: Uint8Array,
): { ok: true; facts: CoverImageFacts } | { ok: false; reason: CoverRefusal } {
  if (bytes.length === 0) return { ok: false, reason: "cover.empty" };
  const image = sniffImage(bytes);
  if (!image) return { ok: false, reason: "cover.type" };
  if (
    image.width < 1 ||
    image.height < 1 ||
    image.width > COVER_MAX_SIDE ||
    image.height > COVER_MAX_SIDE
  ) {
    return { ok: false, reason: "cover.dimensions" };
  }
  return {
    ok: true,
    facts: {
      ...image,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      byteSize: bytes.length,
    },
  };
}
