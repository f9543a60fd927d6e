import { PDFDocument, StandardFonts } from "pdf-lib";
import { describe, expect, it } from "vitest";
import { pdfPageTexts } from "@/tests/helpers/pdf-text";
import { stampLine } from "./pdf-stamp";
import { reserveStamp, STAMP_QUEUE_MAX, stampInWorker, stampsAdmitted } from "./stamp-in-worker";

async function samplePdf(pages: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const helvetica = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= pages; i++) {
    doc.addPage([420, 595]).drawText(`Chapter ${i}`, { x: 50, y: 500, size: 18, font: helvetica });
  }
  return doc.save();
}

const squash = (text: string) => text.replace(/\s+/g, "");
const line = stampLine({ email: "worker@example.com", orderNo: "XP20261202WORKER0001" });

describe("stampInWorker", () => {
  it("stamps every page in a worker thread and hands the bytes back", async () => {
    const original = await samplePdf(2);
    const result = await stampInWorker(original.slice(), line);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const pages = await pdfPageTexts(result.bytes);
    expect(pages).toHaveLength(2);
    for (const text of pages) expect(squash(text)).toContain("仅供worker@example.com个人使用");
  });

  it("moves the bytes to the worker instead of copying them", async () => {
    const original = await samplePdf(1);
    const result = await stampInWorker(original, line);
    expect(result.ok).toBe(true);
    expect(original.byteLength).toBe(0); // detached: the worker owns the buffer now
  });

  it("copies a view on part of a buffer instead of moving a buffer others share", async () => {
    const pdf = await samplePdf(1);
    const shared = new Uint8Array(pdf.byteLength + 16);
    shared.set(pdf, 8);
    const view = shared.subarray(8, 8 + pdf.byteLength);
    const result = await stampInWorker(view, line);
    expect(result.ok).toBe(true);
    expect(shared.byteLength).toBe(pdf.byteLength + 16); // not detached
    expect(view.byteLength).toBe(pdf.byteLength);
  });

  it("answers unstampable for bytes that are not a PDF", async () => {
    const result = await stampInWorker(new TextEncoder().encode("not a pdf at all"), line);
    expect(result).toEqual({ ok: false, reason: "unstampable" });
  });

  it("a PDF that needs more heap than the worker has ends the worker, not this process", async () => {
    const big = await samplePdf(3000);
    const result = await stampInWorker(big, line, {
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    });
    expect(result).toMatchObject({ ok: false, reason: "out_of_memory" });
    // This process goes on, and the next stamp works.
    const next = await stampInWorker(await samplePdf(1), line);
    expect(next.ok).toBe(true);
  }, 60_000);

  it("gives up a stamp that runs past its time", async () => {
    const result = await stampInWorker(await samplePdf(200), line, { timeoutMs: 1 });
    expect(result).toEqual({ ok: false, reason: "timeout" });
  });

  it("runs stamps one after another, each getting its own answer", async () => {
    const lines = ["a@example.com", "b@example.com", "c@example.com"];
    const results = await Promise.all(
      lines.map(async (email) =>
        stampInWorker(await samplePdf(1), stampLine({ email, orderNo: "XP3" })),
      ),
    );
    for (const [i, result] of results.entries()) {
      expect(result.ok).toBe(true);
      if (result.ok)
        expect(squash((await pdfPageTexts(result.bytes)).join(""))).toContain(lines[i]);
    }
  });
});

describe("reserveStamp: a bounded queue that holds no bytes while waiting", () => {
  it("admits STAMP_QUEUE_MAX stamps at most; a place given back admits the next", () => {
    const tickets = Array.from({ length: STAMP_QUEUE_MAX }, () => reserveStamp());
    expect(tickets.every((ticket) => ticket !== null)).toBe(true);
    expect(stampsAdmitted()).toBe(STAMP_QUEUE_MAX);
    expect(reserveStamp()).toBeNull();
    tickets[0]!.release();
    tickets[0]!.release(); // idempotent: gives back one place, not two
    expect(stampsAdmitted()).toBe(STAMP_QUEUE_MAX - 1);
    const next = reserveStamp();
    expect(next).not.toBeNull();
    expect(reserveStamp()).toBeNull();
    for (const ticket of [...tickets, next]) ticket!.release();
    expect(stampsAdmitted()).toBe(0);
  });

  it("reads a waiting stamp's PDF only when its turn comes, and frees its place when done", async () => {
    const first = reserveStamp()!;
    const second = reserveStamp()!;
    const events: string[] = [];
    const pdf = await samplePdf(1);
    const one = first.stamp(async () => {
      events.push("load 1");
      return pdf.slice();
    }, line);
    const two = second.stamp(async () => {
      events.push("load 2");
      return pdf.slice();
    }, line);
    // The second loader has not run while the first stamp is in its worker.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events).toEqual(["load 1"]);
    const [a, b] = await Promise.all([one, two]);
    expect(events).toEqual(["load 1", "load 2"]);
    expect(a.ok && b.ok).toBe(true);
    expect(stampsAdmitted()).toBe(0);
    await expect(first.stamp(async () => pdf.slice(), line)).rejects.toThrow(/already used/);
  });

  it("a loader that fails fails its stamp, frees its place and does not stop the queue", async () => {
    const failing = reserveStamp()!;
    const after = reserveStamp()!;
    const gone = failing.stamp(async () => {
      throw new Error("the original is gone");
    }, line);
    const next = after.stamp(async () => samplePdf(1), line);
    await expect(gone).rejects.toThrow("the original is gone");
    expect((await next).ok).toBe(true);
    expect(stampsAdmitted()).toBe(0);
  });
});
