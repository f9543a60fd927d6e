import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { attachmentDisposition } from "@/lib/http/content-disposition";
import { parseRange, StorageError, type FileStorage } from "@/lib/storage";
import { localStorage } from "@/lib/storage/local";
import { S3_PART_SIZE, s3Storage } from "@/lib/storage/s3";
import { startS3Server, type TestS3Server } from "@/tests/helpers/s3-server";

/*
 * One contract, two drivers (issue #12): the local disk and an S3-compatible bucket served by a
 * real S3-protocol server (s3rver, tests/helpers/s3-server.ts, which says what it adds to
 * s3rver). Every test reads real bytes back. "Nothing stored" is checked on the store's own
 * directory: no object, no temporary file, no unfinished multipart upload.
 */

interface DriverUnderTest {
  name: string;
  kind: "local" | "s3";
  start(): Promise<{
    storage: FileStorage;
    /** Every file the store keeps on disk, relative to its directory. */
    residue(): Promise<string[]>;
    s3: TestS3Server | null;
    stop(): Promise<void>;
  }>;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

const drivers: DriverUnderTest[] = [
  {
    name: "local disk",
    kind: "local",
    async start() {
      const root = await mkdtemp(path.join(tmpdir(), "xiaopu-files-"));
      return {
        storage: localStorage(root),
        residue: () => filesUnder(root),
        s3: null,
        stop: () => rm(root, { recursive: true, force: true }),
      };
    },
  },
  {
    name: "S3 (s3rver)",
    kind: "s3",
    async start() {
      const server = await startS3Server();
      return {
        storage: s3Storage(server.config),
        residue: () => filesUnder(server.directory),
        s3: server,
        stop: () => server.stop(),
      };
    },
  },
];

/** A key of the shop's shape: `files/fil_` + 20 lower-case letters and digits. */
function fileKey(): string {
  const alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
  const id = [...randomBytes(20)].map((byte) => alphabet[byte % alphabet.length]).join("");
  return `files/fil_${id}`;
}

/** `bytes` as a stream of `chunk`-sized pieces, pulled only when the reader asks. */
function streamOf(bytes: Uint8Array, chunk = 64 * 1024): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream(
    {
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        controller.enqueue(bytes.slice(offset, offset + chunk));
        offset += chunk;
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * `bytes`, then a pause: `reached` resolves when the reader asks for more after the last byte
 * (so a driver has dealt with everything before, a whole part included); then `finish()` ends
 * the stream or `fail()` errors it.
 */
function pausedStream(bytes: Uint8Array, chunk = 64 * 1024) {
  let offset = 0;
  let onReached = () => {};
  const reached = new Promise<void>((resolve) => (onReached = resolve));
  let release: (error?: Error) => void = () => {};
  const released = new Promise<Error | undefined>((resolve) => (release = resolve));
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (offset < bytes.length) {
          controller.enqueue(bytes.slice(offset, offset + chunk));
          offset += chunk;
          return;
        }
        onReached();
        const error = await released;
        if (error) controller.error(error);
        else controller.close();
      },
    },
    { highWaterMark: 0 },
  );
  return {
    stream,
    reached,
    finish: () => release(),
    fail: (error: Error) => release(error),
  };
}

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  return Buffer.from(await new Response(stream).arrayBuffer());
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

async function errorOf(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  return expect.fail("expected an error");
}

async function storageCode(run: () => Promise<unknown>): Promise<string> {
  const error = await errorOf(run);
  expect(error).toBeInstanceOf(StorageError);
  return (error as StorageError).code;
}

const MB = 1024 * 1024;
const LIMITS = { contentType: "application/octet-stream", maxBytes: 30 * MB };
const LINK = {
  expiresInSeconds: 60,
  fileName: "一个人的副业手册.pdf",
  contentType: "application/pdf",
};

describe.each(drivers)("the $name storage driver", (driver) => {
  let storage: FileStorage;
  let residue: () => Promise<string[]>;
  let s3: TestS3Server | null;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    ({ storage, residue, s3, stop } = await driver.start());
  });
  afterAll(async () => stop());

  it("stores a stream and gives back the same bytes, with their size and sha256", async () => {
    const bytes = randomBytes(300 * 1024 + 17);
    const key = fileKey();
    const stored = await storage.put(key, streamOf(bytes, 10_000), {
      contentType: "application/pdf",
      maxBytes: 10 * MB,
    });
    expect(stored).toEqual({ size: bytes.length, sha256: sha256(bytes) });
    const fetched = await storage.get(key);
    expect(fetched?.size).toBe(bytes.length);
    expect(fetched?.range).toBeNull();
    expect(sha256(await bytesOf(fetched!.body))).toBe(sha256(bytes));

    // A stamped copy lives under a deeper key; an empty file is a file too.
    const stamp = `stamps/${key.slice("files/".length)}/${"ab12".repeat(8)}`;
    expect(await storage.put(stamp, streamOf(new Uint8Array(0)), LIMITS)).toEqual({
      size: 0,
      sha256: sha256(new Uint8Array(0)),
    });
    const empty = await storage.get(stamp);
    expect(empty?.size).toBe(0);
    expect((await bytesOf(empty!.body)).length).toBe(0);
  });

  it("serves byte ranges exactly as parseRange reads the Range header", async () => {
    const bytes = randomBytes(1000);
    const key = fileKey();
    await storage.put(key, streamOf(bytes, 333), LIMITS);
    for (const [header, start, end] of [
      ["bytes=10-19", 10, 19],
      ["bytes=990-", 990, 999],
      ["bytes=-25", 975, 999],
      ["bytes=500-5000", 500, 999],
      ["bytes=999-999", 999, 999],
    ] as const) {
      const range = parseRange(header, bytes.length);
      expect(range, header).toEqual({ start, end });
      const part = await storage.get(key, range!);
      expect(part?.size, header).toBe(1000);
      expect(part?.range, header).toEqual({ start, end });
      expect(await bytesOf(part!.body), header).toEqual(bytes.subarray(start, end + 1));
    }
    expect(() => parseRange("bytes=1000-", bytes.length)).toThrow(StorageError);
    // A range the caller built past the end is refused the same way by both drivers.
    expect(await storageCode(() => storage.get(key, { start: 1000, end: 1005 }))).toBe(
      "range_not_satisfiable",
    );
    expect(await storageCode(() => storage.get(key, { start: 995, end: 1000 }))).toBe(
      "range_not_satisfiable",
    );
  });

  it("answers null for a key that holds nothing, with or without a range", async () => {
    const key = fileKey();
    expect(await storage.get(key)).toBeNull();
    expect(await storage.get(key, { start: 0, end: 9 })).toBeNull();
    await storage.delete(key);
  });

  it("refuses a file over the cap while it streams and stores nothing of it", async () => {
    const before = await residue();
    const key = fileKey();
    // Small: refused before a single part was sent.
    expect(
      await storageCode(() =>
        storage.put(key, streamOf(randomBytes(MB + 1)), { contentType: "x", maxBytes: MB }),
      ),
    ).toBe("too_large");
    // Large: on S3, two whole parts were uploaded before the cap was crossed.
    const cap = 2 * S3_PART_SIZE + 100;
    expect(
      await storageCode(() =>
        storage.put(key, streamOf(randomBytes(cap + 1)), { contentType: "x", maxBytes: cap }),
      ),
    ).toBe("too_large");
    expect(await storage.get(key)).toBeNull();
    expect(await residue()).toEqual(before);
    if (s3) expect(await s3.pendingUploads()).toEqual([]);
  });

  it("stores nothing when the incoming stream fails half-way", async () => {
    const before = await residue();
    for (const size of [1000, S3_PART_SIZE + MB]) {
      const key = fileKey();
      const upload = pausedStream(randomBytes(size));
      const put = storage.put(key, upload.stream, LIMITS);
      await upload.reached;
      if (s3 && size > S3_PART_SIZE) expect(await s3.pendingUploads()).toHaveLength(1);
      upload.fail(new Error("connection reset by the browser"));
      const error = await errorOf(() => put);
      expect((error as Error).message).toBe("connection reset by the browser");
      expect(await storage.get(key)).toBeNull();
    }
    expect(await residue()).toEqual(before);
    if (s3) expect(await s3.pendingUploads()).toEqual([]);
  });

  it("round-trips a file of several parts (20 MB) with the right sha256", async () => {
    const bytes = randomBytes(20 * MB);
    const key = fileKey();
    const stored = await storage.put(key, streamOf(bytes, 1000 * 1000), {
      contentType: "video/mp4",
      maxBytes: 20 * MB,
    });
    expect(stored).toEqual({ size: bytes.length, sha256: sha256(bytes) });
    const whole = await storage.get(key);
    expect(whole?.size).toBe(bytes.length);
    expect(sha256(await bytesOf(whole!.body))).toBe(stored.sha256);
    // Across the boundary between the first and second part.
    const range = { start: S3_PART_SIZE - 10, end: S3_PART_SIZE + 9 };
    const part = await storage.get(key, range);
    expect(await bytesOf(part!.body)).toEqual(bytes.subarray(range.start, range.end + 1));
    if (s3) expect(await s3.pendingUploads()).toEqual([]);
  });

  it("keeps the old bytes until a replacement is complete, and after one that fails", async () => {
    const key = fileKey();
    const first = randomBytes(5000);
    await storage.put(key, streamOf(first), LIMITS);

    // A replacement larger than a part is under way (on S3: one part uploaded).
    const second = randomBytes(S3_PART_SIZE + 5000);
    const upload = pausedStream(second);
    const put = storage.put(key, upload.stream, LIMITS);
    await upload.reached;
    if (s3) expect(await s3.pendingUploads()).toHaveLength(1);
    const during = await storage.get(key);
    expect(during?.size).toBe(first.length);
    expect(await bytesOf(during!.body)).toEqual(first);
    upload.finish();
    expect((await put).sha256).toBe(sha256(second));
    expect(sha256(await bytesOf((await storage.get(key))!.body))).toBe(sha256(second));

    // A replacement that fails leaves the previous file as it was.
    const failing = pausedStream(randomBytes(S3_PART_SIZE + 1));
    const failed = storage.put(key, failing.stream, LIMITS);
    await failing.reached;
    failing.fail(new Error("aborted"));
    await expect(failed).rejects.toThrow("aborted");
    expect(sha256(await bytesOf((await storage.get(key))!.body))).toBe(sha256(second));

    await storage.delete(key);
    expect(await storage.get(key)).toBeNull();
    await storage.delete(key);
  });

  it.each(["../x", "/etc/passwd", "files/../../x", "FILES/A", "a\\b", "%2e%2e/x", "files/"])(
    "refuses the key %j for every operation, before the store is touched",
    async (key) => {
      const before = await residue();
      for (const run of [
        () => storage.put(key, streamOf(randomBytes(10)), LIMITS),
        () => storage.get(key),
        () => storage.get(key, { start: 0, end: 1 }),
        () => storage.delete(key),
        () => storage.signedUrl(key, LINK),
      ]) {
        expect(await storageCode(run)).toBe("invalid_key");
      }
      expect(await residue()).toEqual(before);
    },
  );

  it.runIf(driver.kind === "local")("makes no signed link: the route streams", async () => {
    const key = fileKey();
    await storage.put(key, streamOf(randomBytes(10)), LIMITS);
    expect(await storage.signedUrl(key, LINK)).toBeNull();
  });

  it.runIf(driver.kind === "s3")(
    "signs a private link that downloads the bytes under the buyer-facing name, ranges too",
    async () => {
      const bytes = randomBytes(4000);
      const key = fileKey();
      // Stored as octet-stream: the link's signed override is what the buyer gets.
      await storage.put(key, streamOf(bytes), LIMITS);
      const url = await storage.signedUrl(key, LINK);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/xiaopu-test\/files\/fil_/);
      const link = new URL(url!);
      expect(link.searchParams.get("X-Amz-Expires")).toBe("60");
      // The SDK's new default checksums are off: no checksum mode in a link.
      expect(link.searchParams.get("x-amz-checksum-mode")).toBeNull();

      const whole = await fetch(url!);
      expect(whole.status).toBe(200);
      expect(whole.headers.get("content-type")).toBe("application/pdf");
      const disposition = whole.headers.get("content-disposition") ?? "";
      expect(disposition).toBe(attachmentDisposition("一个人的副业手册.pdf"));
      expect(disposition).toContain(
        "filename*=UTF-8''%E4%B8%80%E4%B8%AA%E4%BA%BA%E7%9A%84%E5%89%AF%E4%B8%9A%E6%89%8B%E5%86%8C.pdf",
      );
      expect(Buffer.from(await whole.arrayBuffer())).toEqual(bytes);

      const part = await fetch(url!, { headers: { Range: "bytes=100-199" } });
      expect(part.status).toBe(206);
      expect(part.headers.get("content-range")).toBe("bytes 100-199/4000");
      expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(100, 200));
    },
  );

  it.runIf(driver.kind === "s3")(
    "a link is refused once its name, key or signature is changed, or it has expired",
    async () => {
      const key = fileKey();
      const other = fileKey();
      await storage.put(key, streamOf(randomBytes(100)), LIMITS);
      await storage.put(other, streamOf(randomBytes(100)), LIMITS);
      const url = new URL((await storage.signedUrl(key, LINK))!);
      expect((await fetch(url)).status).toBe(200);

      const renamed = new URL(url);
      renamed.searchParams.set("response-content-disposition", attachmentDisposition("x.exe"));
      const moved = new URL(url);
      moved.pathname = moved.pathname.replace(key, other);
      const forged = new URL(url);
      forged.searchParams.set("X-Amz-Signature", "0".repeat(64));
      for (const tampered of [renamed, moved, forged]) {
        const response = await fetch(tampered);
        expect(response.status, tampered.href).toBe(403);
        await response.body?.cancel();
      }

      // Signed ten minutes ago for 60 seconds (only Date is faked: no waiting on the clock).
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(Date.now() - 10 * 60_000);
      let stale: string | null;
      try {
        stale = await storage.signedUrl(key, LINK);
      } finally {
        vi.useRealTimers();
      }
      const expired = await fetch(stale!);
      expect(expired.status).toBe(403);
      expect(await expired.text()).toContain("Request has expired");
    },
  );
});
