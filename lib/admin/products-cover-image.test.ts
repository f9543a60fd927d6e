import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { COVER_MAX_SIDE, inspectCover, sniffImage } from "./products-cover-image";

const bytes = (...parts: (number[] | string)[]) =>
  new Uint8Array(
    parts.flatMap((part) => (typeof part === "string" ? [...Buffer.from(part, "latin1")] : part)),
  );
const u32be = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const u16be = (n: number) => [(n >>> 8) & 255, n & 255];
const u16le = (n: number) => [n & 255, (n >>> 8) & 255];
const u24le = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255];

const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const png = (w: number, h: number) =>
  bytes(PNG_SIG, u32be(13), "IHDR", u32be(w), u32be(h), [8, 6, 0, 0, 0]);

/** SOI, an APP0 segment, then a baseline start-of-frame (SOF0) with the size. */
const jpeg = (w: number, h: number, frameMarker = 0xc0) =>
  bytes(
    [0xff, 0xd8],
    [0xff, 0xe0],
    u16be(16),
    "JFIF\0",
    [1, 1, 0, 0, 1, 0, 1, 0, 0],
    [0xff, frameMarker],
    u16be(17),
    [8],
    u16be(h),
    u16be(w),
    [3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1],
  );

const riff = (chunk: string, payload: number[]) =>
  bytes("RIFF", [0, 0, 0, 0], "WEBP", chunk, [0, 0, 0, 0], payload);

describe("sniffImage", () => {
  it("reads a PNG's size from IHDR", () => {
    expect(sniffImage(png(1200, 630))).toEqual({
      contentType: "image/png",
      width: 1200,
      height: 630,
    });
  });

  it("reads a JPEG's size from its start-of-frame, skipping other segments (progressive too)", () => {
    expect(sniffImage(jpeg(800, 421))).toEqual({
      contentType: "image/jpeg",
      width: 800,
      height: 421,
    });
    expect(sniffImage(jpeg(64, 32, 0xc2))).toEqual({
      contentType: "image/jpeg",
      width: 64,
      height: 32,
    });
  });

  it("reads the three WebP flavours (lossy VP8, lossless VP8L, extended VP8X)", () => {
    const lossy = riff("VP8 ", [0, 0, 0, 0x9d, 0x01, 0x2a, ...u16le(320), ...u16le(168)]);
    expect(sniffImage(lossy)).toEqual({ contentType: "image/webp", width: 320, height: 168 });
    const w = 99;
    const h = 50;
    const bits = (w - 1) | ((h - 1) << 14);
    const lossless = riff("VP8L", [
      0x2f,
      bits & 255,
      (bits >>> 8) & 255,
      (bits >>> 16) & 255,
      (bits >>> 24) & 255,
    ]);
    expect(sniffImage(lossless)).toEqual({ contentType: "image/webp", width: 99, height: 50 });
    const extended = riff("VP8X", [0, 0, 0, 0, ...u24le(1199), ...u24le(629)]);
    expect(sniffImage(extended)).toEqual({ contentType: "image/webp", width: 1200, height: 630 });
  });

  it("refuses what only looks like an image: other formats, truncated headers, text", () => {
    for (const forged of [
      bytes("GIF89a", [1, 0, 1, 0]),
      bytes("<svg xmlns='http://www.w3.org/2000/svg'/>"),
      bytes("%PDF-1.7"),
      png(10, 10).subarray(0, 20),
      bytes(PNG_SIG, u32be(13), "IDAT", u32be(1), u32be(1)),
      jpeg(10, 10).subarray(0, 24),
      bytes([0xff, 0xd8, 0xff, 0xda, 0, 2]),
      riff("VP8 ", [0, 0, 0, 0, 0, 0]),
      riff("ALPH", [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
      bytes("RIFF", [0, 0, 0, 0], "WAVE"),
      new Uint8Array(),
    ]) {
      expect(sniffImage(forged)).toBeNull();
    }
  });
});

describe("inspectCover", () => {
  it("names a good image by its SHA-256 and keeps its facts", () => {
    const image = png(40, 21);
    expect(inspectCover(image)).toEqual({
      ok: true,
      facts: {
        contentType: "image/png",
        width: 40,
        height: 21,
        byteSize: image.length,
        sha256: createHash("sha256").update(image).digest("hex"),
      },
    });
  });

  it("refuses empty files, unknown types and impossible sizes by reason", () => {
    expect(inspectCover(new Uint8Array())).toEqual({ ok: false, reason: "cover.empty" });
    expect(inspectCover(bytes("hello"))).toEqual({ ok: false, reason: "cover.type" });
    expect(inspectCover(png(0, 10))).toEqual({ ok: false, reason: "cover.dimensions" });
    expect(inspectCover(png(COVER_MAX_SIDE + 1, 10))).toEqual({
      ok: false,
      reason: "cover.dimensions",
    });
    expect(inspectCover(png(COVER_MAX_SIDE, COVER_MAX_SIDE)).ok).toBe(true);
  });
});
