import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { localStorage } from "./local";
import { parseRange } from "./range";
import { assertStorageKey, StorageError, type FileStorage } from "./types";

/** The bytes as a stream of `chunk`-sized pieces. */
function streamOf(bytes: Uint8Array, chunk = 7): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunk));
      offset += chunk;
    },
  });
}

async function read(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  return Buffer.from(await new Response(stream).arrayBuffer());
}

const bytes = new TextEncoder().encode("第一章 一个人的小生意。Chapter one: a business of one.");
let root: string;
let storage: FileStorage;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "xiaopu-files-"));
  storage = localStorage(root);
});
afterEach(async () => rm(root, { recursive: true, force: true }));

describe("the local storage driver", () => {
  it("stores a stream, hashes it, and gives it back whole or by range", async () => {
    const stored = await storage.put("products/prd_1/fil_1.pdf", streamOf(bytes), {
      contentType: "application/pdf",
      maxBytes: 1000,
    });
    expect(stored.size).toBe(bytes.length);
    expect(stored.sha256).toMatch(/^[0-9a-f]{64}$/);
    const whole = await storage.get("products/prd_1/fil_1.pdf");
    expect(whole?.size).toBe(bytes.length);
    expect(whole?.range).toBeNull();
    expect(await read(whole!.body)).toEqual(Buffer.from(bytes));
    const part = await storage.get("products/prd_1/fil_1.pdf", { start: 3, end: 10 });
    expect(part?.range).toEqual({ start: 3, end: 10 });
    expect(await read(part!.body)).toEqual(Buffer.from(bytes.slice(3, 11)));
  });

  it("refuses a file over the cap while it streams, and leaves nothing behind", async () => {
    const error = await storage
      .put("products/prd_1/big.pdf", streamOf(new Uint8Array(5000), 512), {
        contentType: "application/pdf",
        maxBytes: 4096,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe("too_large");
    expect(await storage.get("products/prd_1/big.pdf")).toBeNull();
    expect(await readdir(path.join(root, "products/prd_1"))).toEqual([]);
  });

  it("replaces an object only once the new one is complete, and deletes", async () => {
    const key = "products/prd_1/fil_2.epub";
    await storage.put(key, streamOf(bytes), {
      contentType: "application/epub+zip",
      maxBytes: 1000,
    });
    await storage
      .put(key, streamOf(new Uint8Array(2000)), { contentType: "x", maxBytes: 1000 })
      .catch(() => null);
    expect(await read((await storage.get(key))!.body)).toEqual(Buffer.from(bytes));
    await storage.delete(key);
    expect(await storage.get(key)).toBeNull();
    await storage.delete(key);
  });

  it("makes no signed link (the download route streams the file itself)", async () => {
    await storage.put("files/fil_1", streamOf(bytes), { contentType: "x", maxBytes: 1000 });
    const options = { expiresInSeconds: 60, fileName: "手册.pdf", contentType: "application/pdf" };
    expect(await storage.signedUrl("files/fil_1", options)).toBeNull();
    expect(await storage.signedUrl("files/fil_missing", options)).toBeNull();
  });

  it("answers a range outside the object with range_not_satisfiable", async () => {
    await storage.put("a/b.pdf", streamOf(bytes), { contentType: "x", maxBytes: 1000 });
    const error = await storage
      .get("a/b.pdf", { start: bytes.length, end: bytes.length + 5 })
      .catch((e: unknown) => e);
    expect((error as StorageError).code).toBe("range_not_satisfiable");
  });

  it.each([
    "../secret",
    "a/../../etc/passwd",
    "/etc/passwd",
    "a//b",
    "a\\b",
    "A/B",
    "a/b/",
    "",
    "a/.hidden",
    "a/b..pdf",
    "a/b.pdf.part",
    "a\u0000b",
    "x".repeat(301),
  ])("refuses the key %j before touching the disk", async (key) => {
    for (const run of [
      () => storage.get(key),
      () => storage.delete(key),
      () => storage.put(key, streamOf(bytes), { contentType: "x", maxBytes: 1000 }),
      () => storage.signedUrl(key, { expiresInSeconds: 60, fileName: "a.pdf", contentType: "x" }),
    ]) {
      const error = await run().catch((e: unknown) => e);
      expect((error as StorageError).code, key).toBe("invalid_key");
    }
    expect(() => assertStorageKey(key)).toThrow(StorageError);
  });
});

describe("parseRange", () => {
  it.each([
    ["bytes=0-9", { start: 0, end: 9 }],
    ["bytes=5-", { start: 5, end: 99 }],
    ["bytes=-10", { start: 90, end: 99 }],
    ["bytes=-500", { start: 0, end: 99 }],
    ["bytes=90-500", { start: 90, end: 99 }],
    [" bytes=1-1 ", { start: 1, end: 1 }],
  ])("reads %s of 100 bytes", (header, range) => {
    expect(parseRange(header, 100)).toEqual(range);
  });

  it.each([null, "bytes=", "bytes=-", "items=0-1", "bytes=0-1,5-6", "bytes=9-3", "bytes=a-b"])(
    "serves the whole object for %j",
    (header) => {
      expect(parseRange(header, 100)).toBeNull();
    },
  );

  it.each(["bytes=100-", "bytes=150-200", "bytes=-0"])(
    "refuses %s of 100 bytes (416)",
    (header) => {
      expect(() => parseRange(header, 100)).toThrow(StorageError);
    },
  );
});
