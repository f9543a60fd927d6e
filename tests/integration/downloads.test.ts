import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { GET, HEAD } from "@/app/api/downloads/[fileId]/route";
import type { Db } from "@/db/client";
import { recordStampedCopy } from "@/db/queries/stamped-copies";
import {
  billingRuns,
  downloadCounts,
  entitlements,
  orders,
  productFiles,
  products,
  stampedCopies,
} from "@/db/schema";
import { STAMP_QUEUE_MAX, reserveStamp, stampsAdmitted } from "@/lib/delivery/stamp-in-worker";
import { sweepStampedCopies } from "@/lib/delivery/sweep-stamps";
import { newId } from "@/lib/ids";
import { sweepFiles } from "@/lib/jobs/sweep-files";
import { moduleLogger } from "@/lib/logger";
import { settlePayment } from "@/lib/orders/settle";
import { recordManualRefund } from "@/lib/refunds/manual";
import { localStorage } from "@/lib/storage/local";
import { s3Storage } from "@/lib/storage/s3";
import type { FileStorage } from "@/lib/storage/types";
import { withTestDatabase } from "../helpers/db";
import { makeProduct, makeUser } from "../helpers/factories";
import { pdfText } from "../helpers/pdf-text";
import { startS3Server } from "../helpers/s3-server";

/*
 * GET /api/downloads/{fileId} (issue #12, acceptance 1, 2, 3 and 6), through the route itself,
 * on BOTH storage drivers — the local disk and S3 against a real S3-protocol server (s3rver) —
 * with the same tests: the grant is checked at the moment of the download (another buyer 403, a
 * refund 403 at once, an ended membership 403), a PDF carries the buyer's stamp, ranges answer
 * 206 with the right bytes, the daily limit 429, and no identifier reaches a path (404).
 */

type Viewer = { id: string; email: string; name: string | null; role: "buyer" | "admin" };
const state = vi.hoisted(() => ({
  user: null as Viewer | null,
  db: null as unknown,
  now: new Date(),
  storage: null as unknown,
}));
vi.mock("@/lib/auth/guards", async () => {
  const { AppError } = await import("@/lib/errors");
  return {
    assertUser: async () => {
      if (!state.user) throw new AppError("unauthorized", "Sign in first.");
      return state.user;
    },
  };
});
vi.mock("@/lib/runtime", () => ({
  getRuntime: async () => ({ db: state.db, now: async () => state.now }),
  kickNotices: vi.fn(),
}));
vi.mock("@/lib/storage", () => ({ getStorage: () => state.storage }));

const t = withTestDatabase();

async function pdfBytes(pages: number, words: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < pages; i++) {
    doc.addPage([420, 595]).drawText(`${words} page ${i + 1}`, { x: 40, y: 500, size: 14, font });
  }
  return doc.save();
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const stream = (bytes: Uint8Array) => new Blob([new Uint8Array(bytes)]).stream();

async function storeFile(
  db: Db,
  storage: FileStorage,
  input: {
    productId: string | null;
    bytes: Uint8Array;
    fileName: string;
    contentType: "application/pdf" | "application/zip";
  },
) {
  const id = newId("fil");
  const key = `files/${id}`;
  const stored = await storage.put(key, stream(input.bytes), {
    contentType: input.contentType,
    maxBytes: 10 * 1024 * 1024,
  });
  const [row] = await db
    .insert(productFiles)
    .values({
      id,
      productId: input.productId,
      productKind: input.productId ? "one_off" : null,
      storageKey: key,
      fileName: input.fileName,
      contentType: input.contentType,
      byteSize: stored.size,
      sha256: stored.sha256,
    })
    .returning();
  return row!;
}

/** An e-book product with one PDF of `pages` pages in `storage`. */
async function bookWithPdf(
  db: Db,
  storage: FileStorage,
  pdf: { pages: number; words: string; fileName: string },
) {
  const book = await makeProduct(db);
  const file = await storeFile(db, storage, {
    productId: book.id,
    bytes: await pdfBytes(pdf.pages, pdf.words),
    fileName: pdf.fileName,
    contentType: "application/pdf",
  });
  return { book, file };
}

/** A buyer who paid for `productId`, settled as the shop settles it (order, trade, grant). */
async function buyer(db: Db, productId: string, email: string) {
  const user = await makeUser(db, { email });
  const [order] = await db
    .insert(orders)
    .values({
      id: newId("ord"),
      orderNo: `XP20261201${newId("ord").slice(4, 14).toUpperCase()}`,
      userId: user.id,
      productId,
      kind: "purchase",
      provider: "youzan",
      amountFen: 990,
    })
    .returning();
  const settled = await settlePayment(db, order!.id, {
    provider: "youzan",
    tradeNo: `E${newId("pay").slice(4)}`,
    amountFen: 990,
    paidAt: new Date(),
  });
  expect(settled.outcome).toBe("settled");
  return { user, order: settled.order };
}

const viewer = (
  user: { id: string; email: string },
  role: "buyer" | "admin" = "buyer",
): Viewer => ({
  id: user.id,
  email: user.email,
  name: null,
  role,
});

async function download(fileId: string, headers: Record<string, string> = {}) {
  return GET(new Request(`http://shop.test/api/downloads/${fileId}`, { headers }), {
    params: Promise.resolve({ fileId }),
  });
}

/** The bytes a download hands over: the body, or what the signed URL it redirects to serves. */
async function bytesOf(
  response: Response,
  headers: Record<string, string> = {},
): Promise<{ bytes: Uint8Array; response: Response }> {
  if (response.status === 302) {
    const location = response.headers.get("location")!;
    const fetched = await fetch(location, { headers });
    return { bytes: new Uint8Array(await fetched.arrayBuffer()), response: fetched };
  }
  return { bytes: new Uint8Array(await response.arrayBuffer()), response };
}

const drivers: [string, () => Promise<{ storage: FileStorage; stop: () => Promise<void> }>][] = [
  [
    "local disk",
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), "xiaopu-downloads-"));
      return { storage: localStorage(dir), stop: () => rm(dir, { recursive: true, force: true }) };
    },
  ],
  [
    "S3 (s3rver)",
    async () => {
      const server = await startS3Server();
      return { storage: s3Storage(server.config), stop: server.stop };
    },
  ],
];

describe.each(drivers)("downloads on %s", (driver, start) => {
  let storage: FileStorage;
  let stop: () => Promise<void>;
  const signed = driver.startsWith("S3");

  beforeAll(async () => {
    ({ storage, stop } = await start());
  });
  afterAll(async () => stop());
  beforeEach(() => {
    state.db = t.db();
    state.storage = storage;
    state.now = new Date();
    state.user = null;
  });

  it("hands the owner the PDF stamped with their e-mail and order; another buyer gets 403", async () => {
    const db = t.db();
    const book = await makeProduct(db, { nameZh: "电子书", nameEn: "E-book" });
    const original = await pdfBytes(3, "Chapter");
    const file = await storeFile(db, storage, {
      productId: book.id,
      bytes: original,
      fileName: "一个人的副业手册.pdf",
      contentType: "application/pdf",
    });
    const owner = await buyer(db, book.id, "reader.one@example.com");

    state.user = viewer(owner.user);
    const response = await download(file.id);
    expect(response.status).toBe(signed ? 302 : 200);
    expect(response.headers.get("cache-control")).toContain("no-store");
    const { bytes, response: served } = await bytesOf(response);
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe("%PDF-");
    expect(sha256(bytes)).not.toBe(file.sha256); // stamped, not the upload
    const text = await pdfText(bytes);
    expect(text).toContain("reader.one@example.com");
    expect(text).toContain(owner.order.orderNo);
    expect(text).toContain("Chapter page 3");
    expect(served.headers.get("content-disposition")).toContain(
      "filename*=UTF-8''%E4%B8%80%E4%B8%AA%E4%BA%BA%E7%9A%84%E5%89%AF%E4%B8%9A%E6%89%8B%E5%86%8C.pdf",
    );

    // The same URL, another buyer who did not pay: refused, whatever the link.
    const other = await makeUser(db, { email: "reader.two@example.com" });
    state.user = viewer(other);
    const refused = await download(file.id);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: "forbidden" } });

    // Signed out: 401.
    state.user = null;
    expect((await download(file.id)).status).toBe(401);
  });

  it("stamps once per buyer and file version; the owner can switch stamping off", async () => {
    const db = t.db();
    const { book, file } = await bookWithPdf(db, storage, {
      pages: 1,
      words: "Stamp cache",
      fileName: "book.pdf",
    });
    const first = await buyer(db, book.id, "first@example.com");
    const second = await buyer(db, book.id, "second@example.com");

    state.user = viewer(first.user);
    const a1 = (await bytesOf(await download(file.id))).bytes;
    const a2 = (await bytesOf(await download(file.id))).bytes;
    expect(sha256(a2)).toBe(sha256(a1)); // the cached copy
    state.user = viewer(second.user);
    const b = (await bytesOf(await download(file.id))).bytes;
    expect(sha256(b)).not.toBe(sha256(a1));
    expect(await pdfText(b)).toContain("second@example.com");
    expect(await pdfText(b)).not.toContain("first@example.com");

    await db.update(products).set({ stampPdfs: false }).where(eq(products.id, book.id));
    const plain = (await bytesOf(await download(file.id))).bytes;
    expect(sha256(plain)).toBe(file.sha256);
  });

  it("records each stamped copy; the sweep deletes unused ones and those of a replaced or deleted file", async () => {
    const db = t.db();
    const day = (n: number) => new Date(Date.UTC(2026, 10, 1 + n, 4));
    const { book, file } = await bookWithPdf(db, storage, {
      pages: 1,
      words: "Sweep",
      fileName: "sweep.pdf",
    });
    const first = await buyer(db, book.id, "kept@example.com");
    const second = await buyer(db, book.id, "unused@example.com");
    const copies = () =>
      db
        .select()
        .from(stampedCopies)
        .where(eq(stampedCopies.fileId, file.id))
        .orderBy(stampedCopies.lastServedAt);
    const exists = async (key: string) => {
      const found = await storage.get(key);
      await found?.body.cancel();
      return found !== null;
    };
    const sweep = (at: Date, over: FileStorage = storage) =>
      sweepStampedCopies({ db, storage: over, now: at, log: moduleLogger("test") });

    state.now = day(0);
    state.user = viewer(second.user);
    await bytesOf(await download(file.id));
    state.user = viewer(first.user);
    await bytesOf(await download(file.id));
    state.now = day(20);
    await bytesOf(await download(file.id)); // served again: from the copy, recorded
    const [unused, kept] = await copies();
    expect(unused!.lastServedAt).toEqual(day(0));
    expect(kept!.lastServedAt).toEqual(day(20));
    expect(kept!.fileSha256).toBe(file.sha256);
    expect(await exists(unused!.key)).toBe(true);

    // Day 40: the copy last served on day 0 is past the 30 days; the one of day 20 is not.
    const report = await sweep(day(40));
    expect(report).toMatchObject({
      removed: 1,
      unused: 1,
      bytesFreed: unused!.byteSize,
      failed: 0,
    });
    expect(await exists(unused!.key)).toBe(false);
    expect(await exists(kept!.key)).toBe(true);
    expect((await copies()).map((copy) => copy.key)).toEqual([kept!.key]);
    expect(await sweep(day(40))).toMatchObject({ removed: 0, hasMore: false });

    // Storage refuses the delete: the record stays for the next run, which deletes it.
    await db
      .update(productFiles)
      .set({ sha256: "f".repeat(64) })
      .where(eq(productFiles.id, file.id));
    const refusing: FileStorage = {
      ...storage,
      delete: async () => {
        throw new Error("storage down");
      },
    };
    expect(await sweep(day(41), refusing)).toMatchObject({ removed: 0, failed: 1 });
    expect(await exists(kept!.key)).toBe(true);
    // The file was replaced (other bytes): its old copies go, whenever last served.
    expect(await sweep(day(41))).toMatchObject({ removed: 1, fileReplaced: 1 });
    expect(await exists(kept!.key)).toBe(false);
    expect(await copies()).toEqual([]);
    await db.update(productFiles).set({ sha256: file.sha256 }).where(eq(productFiles.id, file.id));

    // A later download stamps again (the same copy's key: same version, same buyer).
    state.now = day(42);
    const again = (await bytesOf(await download(file.id))).bytes;
    expect(await pdfText(again)).toContain("kept@example.com");
    const [remade] = await copies();
    expect(remade!.key).toBe(kept!.key);
    expect(await exists(remade!.key)).toBe(true);

    // Served while the sweep deletes it: the bytes go, the record stays (stamped again next time).
    const servedDuring: FileStorage = {
      ...storage,
      delete: async (key) => {
        await storage.delete(key);
        await recordStampedCopy(db, { ...remade!, at: day(200) });
      },
    };
    expect(await sweep(day(100), servedDuring)).toMatchObject({ removed: 0, servedMeanwhile: 1 });
    expect((await copies()).map((copy) => copy.lastServedAt)).toEqual([day(200)]);
    state.now = day(201);
    expect(await pdfText((await bytesOf(await download(file.id))).bytes)).toContain(
      "kept@example.com",
    );
    expect(await exists(remade!.key)).toBe(true);

    // The file deleted: its copies go at the next sweep, through the daily job and its receipt.
    await db.delete(productFiles).where(eq(productFiles.id, file.id));
    const job = await sweepFiles({
      db,
      storage,
      now: async () => day(202),
      log: moduleLogger("test"),
    });
    expect(job).toMatchObject({ removed: 1, fileGone: 1, failed: 0 });
    expect(await exists(remade!.key)).toBe(false);
    const [receipt] = await db.select().from(billingRuns).where(eq(billingRuns.id, job.runId));
    expect(receipt).toMatchObject({ job: "files.sweep", status: "completed" });
  });

  it("stops a refunded order's downloads at once", async () => {
    const db = t.db();
    const { book, file } = await bookWithPdf(db, storage, {
      pages: 1,
      words: "Refund",
      fileName: "refund.pdf",
    });
    const owner = await buyer(db, book.id, "refunded@example.com");
    const admin = await makeUser(db, { role: "admin" });
    state.user = viewer(owner.user);
    expect([200, 302]).toContain((await download(file.id)).status);

    await recordManualRefund(
      { db, now: async () => new Date() },
      { orderNo: owner.order.orderNo, note: "退款测试", actorUserId: admin.id },
    );
    const refused = await download(file.id);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({
      error: { code: "forbidden", fields: { reason: ["refunded"] } },
    });
  });

  it("opens the members' files while a membership runs and refuses them once it ended", async () => {
    const db = t.db();
    const plan = await makeProduct(db, { kind: "membership", priceFen: 990, periodDays: 7 });
    const zip = new Uint8Array(4096).map((_, i) => (i * 31) % 251);
    zip.set([0x50, 0x4b, 0x03, 0x04]);
    const file = await storeFile(db, storage, {
      productId: null,
      bytes: zip,
      fileName: "会员资料包.zip",
      contentType: "application/zip",
    });
    const member = await makeUser(db, { email: "member@example.com" });
    const start = new Date("2026-12-01T02:00:00Z");
    const end = new Date("2026-12-08T02:00:00Z");
    const [order] = await db
      .insert(orders)
      .values({
        id: newId("ord"),
        orderNo: `XP20261201${newId("ord").slice(4, 14).toUpperCase()}`,
        userId: member.id,
        productId: plan.id,
        kind: "purchase",
        provider: "alipay",
        amountFen: 990,
        status: "paid",
        paidAt: start,
      })
      .returning();
    await db.insert(entitlements).values({
      id: newId("ent"),
      userId: member.id,
      orderId: order!.id,
      productId: plan.id,
      kind: "membership",
      startsAt: start,
      expiresAt: end,
    });

    state.user = viewer(member);
    state.now = new Date("2026-12-05T00:00:00Z");
    const { bytes } = await bytesOf(await download(file.id));
    expect(sha256(bytes)).toBe(file.sha256); // a ZIP is never stamped

    state.now = new Date("2026-12-08T02:00:01Z");
    const expired = await download(file.id);
    expect(expired.status).toBe(403);
    expect(await expired.json()).toMatchObject({
      error: { fields: { reason: ["membership_expired"] } },
    });

    const stranger = await makeUser(db);
    state.user = viewer(stranger);
    state.now = new Date("2026-12-05T00:00:00Z");
    const none = await download(file.id);
    expect(await none.json()).toMatchObject({ error: { fields: { reason: ["not_member"] } } });
  });

  it("answers a Range request with 206 and exactly those bytes", async () => {
    const db = t.db();
    const product = await makeProduct(db);
    const zip = new Uint8Array(100_000).map((_, i) => (i * 7 + 3) % 256);
    zip.set([0x50, 0x4b, 0x03, 0x04]);
    const file = await storeFile(db, storage, {
      productId: product.id,
      bytes: zip,
      fileName: "templates.zip",
      contentType: "application/zip",
    });
    const owner = await buyer(db, product.id, "ranges@example.com");
    state.user = viewer(owner.user);

    for (const [header, start, end] of [
      ["bytes=0-99", 0, 99],
      ["bytes=1000-1999", 1000, 1999],
      ["bytes=99000-", 99_000, 99_999],
      // A suffix range is the local driver's to answer; on S3 the signed URL goes to the bucket,
      // and s3rver answers `bytes=-500` as `0-500` (AWS, OSS, COS and R2 follow RFC 9110).
      ...(signed ? [] : ([["bytes=-500", 99_500, 99_999]] as const)),
    ] as const) {
      const response = await download(file.id, { range: header });
      const { bytes, response: served } = await bytesOf(response, { range: header });
      expect(served.status, header).toBe(206);
      expect(served.headers.get("content-range"), header).toBe(`bytes ${start}-${end}/100000`);
      expect(Buffer.from(bytes).equals(Buffer.from(zip.subarray(start, end + 1))), header).toBe(
        true,
      );
    }
    if (!signed) {
      const beyond = await download(file.id, { range: "bytes=200000-" });
      expect(beyond.status).toBe(416);
      expect(beyond.headers.get("content-range")).toBe("bytes */100000");
    }
  });

  it("counts downloads per buyer, file and day and refuses past the limit until midnight", async () => {
    const db = t.db();
    const product = await makeProduct(db);
    const zip = new Uint8Array(64).fill(1);
    zip.set([0x50, 0x4b, 0x03, 0x04]);
    const file = await storeFile(db, storage, {
      productId: product.id,
      bytes: zip,
      fileName: "a.zip",
      contentType: "application/zip",
    });
    const owner = await buyer(db, product.id, "limit@example.com");
    state.user = viewer(owner.user);
    state.now = new Date("2026-12-01T10:00:00Z"); // 18:00 in Shanghai
    for (let i = 0; i < 20; i++) {
      const response = await download(file.id);
      expect([200, 302]).toContain(response.status);
      await response.body?.cancel();
    }
    // A resumed download (a range not from the start) is part of one already counted.
    expect([206, 302]).toContain((await download(file.id, { range: "bytes=10-20" })).status);
    const refused = await download(file.id);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe(String(6 * 3600));
    const [row] = await db.select().from(downloadCounts);
    expect(row).toMatchObject({ count: 20, day: "2026-12-01" });
    // A HEAD (a link checker, a chat app's preview) is not a download and counts nothing.
    expect(HEAD().status).toBe(405);

    state.now = new Date("2026-12-01T16:00:00Z"); // the next day in Shanghai
    expect([200, 302]).toContain((await download(file.id)).status);
  });

  it("with the stamping queue full: a new copy is 503 busy and not counted, a made one is served, one copy is stamped once", async () => {
    const db = t.db();
    const { book, file } = await bookWithPdf(db, storage, {
      pages: 2,
      words: "Busy",
      fileName: "busy.pdf",
    });
    const early = await buyer(db, book.id, "early@example.com");
    const late = await buyer(db, book.id, "late@example.com");
    state.user = viewer(early.user);
    const made = (await bytesOf(await download(file.id))).bytes; // stamped before the rush

    const held = Array.from({ length: STAMP_QUEUE_MAX }, () => reserveStamp()!);
    try {
      state.user = viewer(late.user);
      const busy = await download(file.id);
      expect(busy.status).toBe(503);
      expect(busy.headers.get("retry-after")).toBe("30");
      expect(await busy.json()).toMatchObject({ error: { code: "service_unavailable" } });
      const html = await download(file.id, { accept: "text/html" });
      expect([html.status, html.headers.get("location")]).toEqual([
        303,
        "/account/library?download=busy",
      ]);
      // Refused before it was counted: none of the late buyer's downloads of the day is used.
      const counts = await db
        .select()
        .from(downloadCounts)
        .where(eq(downloadCounts.userId, late.user.id));
      expect(counts).toEqual([]);
      // A copy already made needs no place in the queue.
      state.user = viewer(early.user);
      expect(sha256((await bytesOf(await download(file.id))).bytes)).toBe(sha256(made));
    } finally {
      for (const ticket of held) ticket.release();
    }

    // One place left: two requests for the same new copy (a double click) share one stamp.
    const others = Array.from({ length: STAMP_QUEUE_MAX - 1 }, () => reserveStamp()!);
    try {
      state.user = viewer(late.user);
      const [a, b] = await Promise.all([download(file.id), download(file.id)]);
      expect([a.status, b.status]).toEqual(signed ? [302, 302] : [200, 200]);
      const [bytesA, bytesB] = [(await bytesOf(a)).bytes, (await bytesOf(b)).bytes];
      expect(sha256(bytesA)).toBe(sha256(bytesB));
      expect(await pdfText(bytesA)).toContain("late@example.com");
    } finally {
      for (const ticket of others) ticket.release();
    }
    expect(stampsAdmitted()).toBe(0);
    const [row] = await db
      .select()
      .from(downloadCounts)
      .where(eq(downloadCounts.userId, late.user.id));
    expect(row?.count).toBe(2);
  });

  it("sends a refused click from the library back there with a notice, not a JSON page", async () => {
    const db = t.db();
    const { book, file } = await bookWithPdf(db, storage, {
      pages: 1,
      words: "Notice",
      fileName: "notice.pdf",
    });
    const html = { accept: "text/html,application/xhtml+xml" };
    const location = async (headers: Record<string, string>) => {
      const response = await download(file.id, headers);
      return [response.status, response.headers.get("location")];
    };
    state.user = null;
    expect(await location(html)).toEqual([303, "/signin?callbackUrl=%2Faccount%2Flibrary"]);
    state.user = viewer(await makeUser(db));
    expect(await location(html)).toEqual([303, "/account/library?download=not_owned"]);
    expect(await location({ accept: "application/json" })).toEqual([403, null]);
    const owner = await buyer(db, book.id, "notice@example.com");
    const admin = await makeUser(db, { role: "admin" });
    await recordManualRefund(
      { db, now: async () => new Date() },
      { orderNo: owner.order.orderNo, note: "退款", actorUserId: admin.id },
    );
    state.user = viewer(owner.user);
    expect(await location(html)).toEqual([303, "/account/library?download=refunded"]);
    const missing = await download("fil_0123456789abcdefghjk", html);
    expect(missing.headers.get("location")).toBe("/account/library?download=missing");
    // Junk is not a file the buyer could have clicked: a plain 404.
    expect((await download("../../etc/passwd", html)).status).toBe(404);
  });

  it("answers 404 to any identifier that is not a file, traversal included", async () => {
    const db = t.db();
    state.user = viewer(await makeUser(db));
    for (const id of [
      "../../../../etc/passwd",
      "..%2F..%2Fetc%2Fpasswd",
      "fil_../../package.json",
      "fil_0123456789abcdefghjk/../../x",
      "files/fil_0123456789abcdefghjk",
      "FIL_0123456789ABCDEFGHJK",
      "fil_0123456789abcdefghjk", // the right shape, but no such file
      "%00",
      "",
    ]) {
      const response = await download(id);
      expect(response.status, id).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: "not_found" } });
    }
  });
});
