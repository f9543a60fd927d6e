import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { asc, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type * as StorageModule from "@/lib/storage";
import type * as EnvModule from "@/lib/env";
import { POST as uploadToProduct } from "@/app/api/admin/uploads/products/[id]/route";
import { POST as uploadToMembers } from "@/app/api/admin/uploads/members/route";
import { POST as replaceRoute } from "@/app/api/admin/uploads/files/[id]/route";
import { DELETE as deleteRoute, PATCH as renameRoute } from "@/app/api/admin/files/[id]/route";
import { POST as reorderRoute } from "@/app/api/admin/files/reorder/route";
import {
  auditLog,
  lessons,
  memberPosts,
  productFiles,
  products,
  type ProductFile,
} from "@/db/schema";
import * as actions from "@/lib/admin/content-actions";
import { checkFileName, uploadFileName } from "@/lib/admin/content-input";
import { localStorage } from "@/lib/storage/local";
import { makeProduct, makeUser } from "../helpers/factories";
import { withTestDatabase } from "../helpers/db";

/*
 * Issue #12, the admin's content: uploads streamed to storage through the route handlers (type
 * by content, size cap, nothing stored on any refusal), replace / rename / delete / reorder,
 * lessons and members' posts through their server actions, each audited. The storage is a local
 * directory of this test; the guard stands in for the session.
 */

const guard = vi.hoisted(() => ({ user: null as { id: string; role: string } | null }));
vi.mock("@/lib/auth/guards", async () => {
  const { AppError } = await import("@/lib/errors");
  const assertAdmin = async () => {
    if (!guard.user) throw new AppError("unauthorized", "Sign in first.");
    if (guard.user.role !== "admin") throw new AppError("forbidden", "Admins only.");
    return guard.user;
  };
  return {
    assertAdmin,
    requireAdmin: assertAdmin,
    getCurrentUser: async () => guard.user,
  };
});
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn() }));

// The storage of this test (a temporary directory), and the upload limit it sets.
const setting = vi.hoisted(() => ({ root: "", maxBytes: undefined as number | undefined }));
vi.mock("@/lib/storage", async (original) => {
  const real = await original<typeof StorageModule>();
  const { localStorage: local } = await import("@/lib/storage/local");
  return { ...real, getStorage: () => local(setting.root) };
});
vi.mock("@/lib/env", async (original) => {
  const real = await original<typeof EnvModule>();
  return {
    ...real,
    getEnv: () => {
      const env = real.getEnv();
      return setting.maxBytes === undefined ? env : { ...env, uploadMaxBytes: setting.maxBytes };
    },
  };
});

const t = withTestDatabase();
const db = () => t.db();
let admin: { id: string; role: string };
let productId: string;

beforeEach(async () => {
  setting.root = mkdtempSync(path.join(tmpdir(), "xiaopu-content-"));
  setting.maxBytes = undefined;
  admin = { id: (await makeUser(db(), { role: "admin" })).id, role: "admin" };
  guard.user = admin;
  productId = (await makeProduct(db(), { kind: "one_off" })).id;
});
afterEach(() => rmSync(setting.root, { recursive: true, force: true }));

// ---- fixtures ---------------------------------------------------------------------------------

const PDF_HEADER = Buffer.from("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "latin1");
const pdf = (size = 300_000) =>
  Buffer.concat([PDF_HEADER, randomBytes(Math.max(0, size - PDF_HEADER.length))]);

function zipHeader(name: string, content: Buffer, method = 0): Buffer {
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(0, 6);
  header.writeUInt16LE(method, 8);
  header.writeUInt32LE(content.length, 18);
  header.writeUInt32LE(content.length, 22);
  header.writeUInt16LE(Buffer.byteLength(name), 26);
  header.writeUInt16LE(0, 28);
  return Buffer.concat([header, Buffer.from(name), content]);
}
const epub = () =>
  Buffer.concat([
    zipHeader("mimetype", Buffer.from("application/epub+zip")),
    zipHeader("OEBPS/book.xhtml", randomBytes(5000)),
  ]);
const zip = () => Buffer.concat([zipHeader("notes.txt", randomBytes(4000)), randomBytes(100)]);
const exe = () => Buffer.concat([Buffer.from("MZ\x90\x00\x03\x00\x00\x00"), randomBytes(4000)]);
const png = () => Buffer.concat([Buffer.from("\x89PNG\r\n\x1a\n", "latin1"), randomBytes(2000)]);
const html = () => Buffer.from("<!doctype html><html><body><script>alert(1)</script></body>");

const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

function form(bytes: Buffer, filename: string, fields: Record<string, string> = {}): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.append(key, value);
  data.append("file", new File([new Uint8Array(bytes)], filename));
  return data;
}
const multipart = (body: FormData | ReadableStream<Uint8Array> | string, headers = {}) =>
  new Request("http://localhost/api/admin/uploads/x", {
    method: "POST",
    body,
    headers,
    duplex: "half",
  } as RequestInit);

const noParams = { params: Promise.resolve({}) };
const productCtx = (id = productId) => ({ params: Promise.resolve({ id }) });

async function answer(response: Response) {
  const body = (await response.json()) as {
    file?: { id: string; fileName: string; byteSize: number; sha256: string; position: number };
    error?: { code: string; message: string; fields?: Record<string, string[]> };
  } & Record<string, unknown>;
  return { status: response.status, body };
}

/** Every file under the storage root (temporary `.part` files included). */
function stored(dir = setting.root): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? stored(full) : [path.relative(setting.root, full)];
  });
}
const fileRows = () => db().select().from(productFiles).orderBy(asc(productFiles.position));
const auditOf = (targetId: string) =>
  db().select().from(auditLog).where(eq(auditLog.targetId, targetId)).orderBy(asc(auditLog.id));

async function uploaded(bytes: Buffer, filename = "book.pdf"): Promise<ProductFile> {
  const { status, body } = await answer(
    await uploadToProduct(multipart(form(bytes, filename)), productCtx()),
  );
  expect(status, JSON.stringify(body)).toBe(201);
  const [row] = await db().select().from(productFiles).where(eq(productFiles.id, body.file!.id));
  return row!;
}

// ---- uploads ----------------------------------------------------------------------------------

describe("uploading a file to a product", () => {
  it.each([
    ["PDF", pdf, "指南.pdf", "application/pdf"],
    ["EPUB", epub, "book.epub", "application/epub+zip"],
    ["ZIP", zip, "files.zip", "application/zip"],
  ] as const)(
    "a %s: row with its size, SHA-256, type and name; bytes in storage; audited",
    async (_, make, name, type) => {
      const bytes = make();
      const row = await uploaded(bytes, name);
      expect(row).toMatchObject({
        productId,
        productKind: "one_off",
        fileName: name,
        contentType: type,
        byteSize: bytes.length,
        sha256: sha(bytes),
        position: 0,
        storageKey: `files/${row.id}`,
      });
      expect(stored()).toEqual([row.storageKey]);
      expect(readFileSync(path.join(setting.root, row.storageKey)).equals(bytes)).toBe(true);
      const [audit] = await auditOf(row.id);
      expect(audit).toMatchObject({
        action: "file.upload",
        actorUserId: admin.id,
        targetType: "product_file",
        details: { productId, before: null, after: { sha256: sha(bytes), byteSize: bytes.length } },
      });
    },
  );

  it("names from the upload are normalised (path parts dropped, NFC); a `name` field wins", async () => {
    const a = await uploaded(pdf(1000), "C:\\fakepath\\Cafe\u0301 手册.pdf");
    expect(a.fileName).toBe("Café 手册.pdf");
    const { body } = await answer(
      await uploadToProduct(
        multipart(form(pdf(1000), "x.pdf", { name: "第二章.pdf" })),
        productCtx(),
      ),
    );
    expect(body.file).toMatchObject({ fileName: "第二章.pdf", position: 1 });
  });

  it.each([
    ["an .exe renamed .pdf", exe],
    ["a PNG renamed .pdf", png],
    ["an HTML page renamed .pdf", html],
  ])("%s: 415 with the reason, nothing stored, no row, no audit", async (_, make) => {
    const { status, body } = await answer(
      await uploadToProduct(multipart(form(make(), "book.pdf")), productCtx()),
    );
    expect(status).toBe(415);
    expect(body.error).toMatchObject({
      code: "unsupported_media_type",
      fields: { file: ["file.type"] },
    });
    expect(body.error!.message).toMatch(/PDF, EPUB or ZIP/);
    expect(stored()).toEqual([]);
    expect(await fileRows()).toEqual([]);
    expect(await db().select().from(auditLog)).toEqual([]);
  });

  it("over the limit: 413 while streaming (no Content-Length), nothing stored, no row", async () => {
    setting.maxBytes = 100_000;
    const body = form(pdf(150_000), "big.pdf");
    // The body as a stream: no Content-Length to refuse by, the cap is met while writing.
    const streamed = new Response(body);
    const request = multipart(streamed.body!, {
      "content-type": streamed.headers.get("content-type")!,
    });
    const { status, body: answerBody } = await answer(await uploadToProduct(request, productCtx()));
    expect(status).toBe(413);
    expect(answerBody.error).toMatchObject({
      code: "payload_too_large",
      fields: { file: ["file.too_large"] },
    });
    expect(stored()).toEqual([]);
    expect(await fileRows()).toEqual([]);
    // Just under the limit goes through.
    expect((await uploaded(pdf(99_000))).byteSize).toBe(99_000);
  });

  it("a declared Content-Length over the limit: 413 before reading", async () => {
    setting.maxBytes = 100_000;
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(1000));
      },
    });
    const response = await uploadToProduct(
      multipart(body, {
        "content-type": "multipart/form-data; boundary=x",
        "content-length": "5000000",
      }),
      productCtx(),
    );
    expect(response.status).toBe(413);
    expect(pulled).toBeLessThanOrEqual(1);
    expect(stored()).toEqual([]);
  });

  it("a cut-off body, a malformed one, no file, two files, not multipart: 400, nothing stored", async () => {
    const whole = new Uint8Array(await new Response(form(pdf(50_000), "a.pdf")).arrayBuffer());
    const type = new Response(form(pdf(10), "a.pdf")).headers.get("content-type")!;
    const boundary = type.split("boundary=")[1]!;
    // The client goes away half-way.
    const aborted = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(whole.slice(0, 30_000));
        controller.error(new Error("client aborted"));
      },
    });
    // The body simply ends before its closing boundary.
    const truncated = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(whole.slice(0, 30_000));
        controller.close();
      },
    });
    const two = form(pdf(1000), "a.pdf");
    two.append("file", new File([new Uint8Array(pdf(1000))], "b.pdf"));
    const noFile = new FormData();
    noFile.append("name", "x.pdf");
    const cases: [string, Request][] = [
      ["aborted", multipart(aborted, { "content-type": type })],
      ["truncated", multipart(truncated, { "content-type": type })],
      ["garbage", multipart(`--${boundary}\r\nnonsense`, { "content-type": type })],
      ["no boundary", multipart("x", { "content-type": "multipart/form-data; charset=utf-8" })],
      ["two files", multipart(two)],
      ["no file", multipart(noFile)],
      ["json", multipart("{}", { "content-type": "application/json" })],
    ];
    for (const [name, request] of cases) {
      const { status, body } = await answer(await uploadToProduct(request, productCtx()));
      expect(status, name).toBe(400);
      expect(body.error?.code, name).toBe("bad_request");
      expect(stored(), name).toEqual([]);
    }
    expect(await fileRows()).toEqual([]);
  });

  it("an empty file: 422; a bad file name field: 422 and the stored bytes deleted again", async () => {
    const empty = await answer(
      await uploadToProduct(multipart(form(Buffer.alloc(0), "a.pdf")), productCtx()),
    );
    expect(empty.status).toBe(422);
    const badName = await answer(
      await uploadToProduct(multipart(form(pdf(1000), "a.pdf", { name: "a/b.pdf" })), productCtx()),
    );
    expect(badName).toMatchObject({
      status: 422,
      body: { error: { fields: { fileName: ["fileName.invalid"] } } },
    });
    expect(stored()).toEqual([]);
    expect(await fileRows()).toEqual([]);
  });

  it("unknown product → 404, a membership plan → 409 with the reason, before any byte is read", async () => {
    const plan = await makeProduct(db(), { kind: "membership", periodDays: 30 });
    expect(
      (await uploadToProduct(multipart(form(pdf(), "a.pdf")), productCtx("prd_nope"))).status,
    ).toBe(404);
    expect(
      (await uploadToProduct(multipart(form(pdf(), "a.pdf")), productCtx("../x"))).status,
    ).toBe(404);
    const refused = await answer(
      await uploadToProduct(multipart(form(pdf(), "a.pdf")), productCtx(plan.id)),
    );
    expect(refused).toMatchObject({
      status: 409,
      body: { error: { code: "conflict", fields: { product: ["product.not_one_off"] } } },
    });
    expect(stored()).toEqual([]);
  });

  it("anonymous → 401, a buyer → 403; nothing stored", async () => {
    guard.user = null;
    expect((await uploadToProduct(multipart(form(pdf(), "a.pdf")), productCtx())).status).toBe(401);
    expect((await uploadToMembers(multipart(form(pdf(), "a.pdf")), noParams)).status).toBe(401);
    guard.user = { id: (await makeUser(db())).id, role: "buyer" };
    expect((await uploadToProduct(multipart(form(pdf(), "a.pdf")), productCtx())).status).toBe(403);
    expect((await uploadToMembers(multipart(form(pdf(), "a.pdf")), noParams)).status).toBe(403);
    const file = await (async () => {
      guard.user = admin;
      return uploaded(pdf());
    })();
    guard.user = { id: (await makeUser(db())).id, role: "buyer" };
    expect((await replaceRoute(multipart(form(pdf(), "a.pdf")), productCtx(file.id))).status).toBe(
      403,
    );
    expect(
      (
        await deleteRoute(
          new Request("http://localhost/x", { method: "DELETE" }),
          productCtx(file.id),
        )
      ).status,
    ).toBe(403);
    expect(stored()).toEqual([file.storageKey]);
  });

  it("the upload answers carry the security headers the proxy would have set", async () => {
    const response = await uploadToProduct(multipart(form(pdf(), "a.pdf")), productCtx());
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("the database down: 503 with Retry-After from the route's own gate (no proxy here), nothing read", async () => {
    const { registerDatabaseProbe, reportDatabaseUnavailable, UNHEALTHY_FOR_MS } =
      await import("@/db/availability");
    registerDatabaseProbe(async () => {
      throw new Error("down");
    });
    reportDatabaseUnavailable();
    try {
      const response = await uploadToProduct(multipart(form(pdf(), "a.pdf")), productCtx());
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("5");
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(await response.json()).toMatchObject({ error: { code: "service_unavailable" } });
      expect(stored()).toEqual([]);
    } finally {
      registerDatabaseProbe(async () => {});
    }
    // The gate trusts a failure for UNHEALTHY_FOR_MS of real time: step its clock past that
    // instead of sleeping.
    const realNow = performance.now.bind(performance);
    const clock = vi
      .spyOn(performance, "now")
      .mockImplementation(() => realNow() + UNHEALTHY_FOR_MS + 1);
    try {
      expect((await uploadToProduct(multipart(form(pdf(), "a.pdf")), productCtx())).status).toBe(
        201,
      );
    } finally {
      clock.mockRestore();
    }
  });

  it("the members' area: files with no product, in their own order", async () => {
    const a = await answer(await uploadToMembers(multipart(form(pdf(), "会员手册.pdf")), noParams));
    const b = await answer(await uploadToMembers(multipart(form(zip(), "素材.zip")), noParams));
    expect([a.status, b.status]).toEqual([201, 201]);
    const rows = await fileRows();
    expect(rows.map((row) => [row.productId, row.productKind, row.position])).toEqual([
      [null, null, 0],
      [null, null, 1],
    ]);
  });
});

// ---- managing files ---------------------------------------------------------------------------

const json = (method: string, body: unknown) =>
  new Request("http://localhost/x", {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("managing files", () => {
  it("replace: same id, position and name, new bytes under a new key; the old object deleted; audited", async () => {
    const first = await uploaded(pdf(), "讲义.pdf");
    const second = await uploaded(pdf(), "附录.pdf");
    const bytes = epub();
    const { status, body } = await answer(
      await replaceRoute(multipart(form(bytes, "new.epub")), productCtx(first.id)),
    );
    expect(status).toBe(200);
    const [row] = await db().select().from(productFiles).where(eq(productFiles.id, first.id));
    expect(row).toMatchObject({
      id: first.id,
      position: 0,
      fileName: "讲义.pdf",
      contentType: "application/epub+zip",
      byteSize: bytes.length,
      sha256: sha(bytes),
    });
    expect(body.file?.sha256).toBe(sha(bytes));
    expect(row!.storageKey).not.toBe(first.storageKey);
    expect(stored().sort()).toEqual([row!.storageKey, second.storageKey].sort());
    const audits = await auditOf(first.id);
    expect(audits.at(-1)).toMatchObject({
      action: "file.replace",
      actorUserId: admin.id,
      details: { before: { sha256: first.sha256 }, after: { sha256: sha(bytes) } },
    });
    // With a new name, and a refused replacement changes nothing.
    await replaceRoute(
      multipart(form(pdf(), "x.pdf", { name: "讲义（第二版）.pdf" })),
      productCtx(first.id),
    );
    const [renamed] = await db().select().from(productFiles).where(eq(productFiles.id, first.id));
    expect(renamed!.fileName).toBe("讲义（第二版）.pdf");
    const before = stored().sort();
    const refused = await replaceRoute(multipart(form(exe(), "x.pdf")), productCtx(first.id));
    expect(refused.status).toBe(415);
    expect(stored().sort()).toEqual(before);
    expect(
      (await replaceRoute(multipart(form(pdf(), "x.pdf")), productCtx("fil_nope"))).status,
    ).toBe(404);
  });

  it("rename: checked like the database checks it; audited with before/after", async () => {
    const file = await uploaded(pdf(), "a.pdf");
    const ok = await answer(
      await renameRoute(json("PATCH", { fileName: " 新名字.pdf " }), productCtx(file.id)),
    );
    expect(ok).toMatchObject({
      status: 200,
      body: { file: { fileName: "新名字.pdf" }, changed: true },
    });
    for (const bad of ["", "a/b.pdf", "a\\b", "a\u0007b", "..", "x".repeat(201)]) {
      const refused = await answer(
        await renameRoute(json("PATCH", { fileName: bad }), productCtx(file.id)),
      );
      expect(refused.status, JSON.stringify(bad)).toBe(422);
    }
    expect(
      (await renameRoute(json("PATCH", { fileName: "x.pdf" }), productCtx("fil_nope"))).status,
    ).toBe(404);
    const audits = await auditOf(file.id);
    expect(audits.map((row) => row.action)).toEqual(["file.upload", "file.rename"]);
    expect(audits[1]!.details).toEqual({
      productId,
      before: { fileName: "a.pdf" },
      after: { fileName: "新名字.pdf" },
    });
  });

  it("reorder: positions 0..n-1 in one go; a wrong set of ids → 400 and nothing moves", async () => {
    const a = await uploaded(pdf(1000), "a.pdf");
    const b = await uploaded(pdf(1000), "b.pdf");
    const c = await uploaded(pdf(1000), "c.pdf");
    const ok = await answer(
      await reorderRoute(json("POST", { productId, ids: [c.id, a.id, b.id] }), noParams),
    );
    expect(ok.status).toBe(200);
    expect((await fileRows()).map((row) => [row.id, row.position])).toEqual([
      [c.id, 0],
      [a.id, 1],
      [b.id, 2],
    ]);
    for (const ids of [[c.id, a.id], [c.id, a.id, b.id, b.id], [c.id, a.id, "fil_other"], "x"]) {
      const refused = await answer(await reorderRoute(json("POST", { productId, ids }), noParams));
      expect(refused.status, JSON.stringify(ids)).toBe(400);
    }
    // Another owner's files are not this product's.
    const member = await answer(await uploadToMembers(multipart(form(pdf(), "m.pdf")), noParams));
    expect(
      (
        await reorderRoute(
          json("POST", { productId, ids: [c.id, a.id, member.body.file!.id] }),
          noParams,
        )
      ).status,
    ).toBe(400);
    expect(
      (await reorderRoute(json("POST", { productId: null, ids: [member.body.file!.id] }), noParams))
        .status,
    ).toBe(200);
    expect(
      (await reorderRoute(json("POST", { productId: "prd_nope", ids: [] }), noParams)).status,
    ).toBe(404);
    expect((await fileRows()).filter((row) => row.productId).map((row) => row.id)).toEqual([
      c.id,
      a.id,
      b.id,
    ]);
    const [audit] = await auditOf(productId);
    expect(audit).toMatchObject({
      action: "file.reorder",
      details: { before: { order: [a.id, b.id, c.id] }, after: { order: [c.id, a.id, b.id] } },
    });
  });

  it("delete: the row, then the object; audited; twice → 404", async () => {
    const file = await uploaded(pdf());
    const response = await deleteRoute(
      new Request("http://localhost/x", { method: "DELETE" }),
      productCtx(file.id),
    );
    expect(response.status).toBe(200);
    expect(await fileRows()).toEqual([]);
    expect(stored()).toEqual([]);
    expect((await auditOf(file.id)).map((row) => row.action)).toEqual([
      "file.upload",
      "file.delete",
    ]);
    expect(
      (
        await deleteRoute(
          new Request("http://localhost/x", { method: "DELETE" }),
          productCtx(file.id),
        )
      ).status,
    ).toBe(404);
  });

  it("a row that cannot be inserted: the stored object is deleted again", async () => {
    // The product turns into a plan between the check and the insert: the foreign key refuses.
    const storage = localStorage(setting.root);
    const { uploadFile } = await import("@/lib/admin/content-files");
    const request = multipart(form(pdf(), "a.pdf"));
    const racing = uploadFile(
      {
        db: db(),
        storage: {
          ...storage,
          put: async (key, body, options) => {
            const result = await storage.put(key, body, options);
            await db()
              .update(products)
              .set({ kind: "membership", periodDays: 30 })
              .where(eq(products.id, productId));
            return result;
          },
        },
        maxBytes: 10_000_000,
      },
      admin.id,
      productId,
      request,
    );
    await expect(racing).rejects.toMatchObject({ code: "conflict" });
    expect(stored()).toEqual([]);
    expect(await fileRows()).toEqual([]);
  });
});

describe("file names", () => {
  it("upload names: last path part, NFC, controls removed, cut to 200 keeping the extension", () => {
    expect(uploadFileName("C:\\fakepath\\书.pdf")).toBe("书.pdf");
    expect(uploadFileName("a/b/../c.pdf")).toBe("c.pdf");
    expect(uploadFileName("e\u0301\u0000x.pdf")).toBe("éx.pdf");
    const long = uploadFileName(`${"长".repeat(300)}.epub`)!;
    expect([...long].length).toBe(200);
    expect(long.endsWith(".epub")).toBe(true);
    expect(uploadFileName("..")).toBeNull();
    expect(uploadFileName(undefined)).toBeNull();
    expect(checkFileName("ok.pdf")).toEqual({ name: "ok.pdf" });
    expect(checkFileName("a\u0085b")).toEqual({ error: "fileName.invalid" });
  });
});

// ---- lessons and posts ------------------------------------------------------------------------

const fields = (values: Record<string, string>) => {
  const data = new FormData();
  for (const [key, value] of Object.entries(values)) data.append(key, value);
  return data;
};
const lesson = {
  titleZh: "第一课：开始",
  titleEn: "Lesson 1: Getting started",
  bodyZh: "# 你好\n\n**加粗**",
  bodyEn: "# Hello",
  videoUrl: "https://video.example.com/1",
};

describe("lessons", () => {
  it("create, edit, reorder, delete — each audited with before/after", async () => {
    const created = await actions.saveLessonAction({}, fields({ productId, ...lesson }));
    expect(created).toMatchObject({ saved: "created", id: expect.stringMatching(/^les_/) });
    const second = await actions.saveLessonAction(
      {},
      fields({ productId, ...lesson, titleZh: "第二课" }),
    );
    expect(
      await actions.saveLessonAction(
        {},
        fields({ lessonId: created.id!, ...lesson, titleEn: "Lesson one" }),
      ),
    ).toMatchObject({ saved: "updated" });
    expect(
      await actions.saveLessonAction(
        {},
        fields({ lessonId: created.id!, ...lesson, titleEn: "Lesson one" }),
      ),
    ).toMatchObject({ saved: "unchanged" });
    expect(
      await actions.reorderLessonsAction(
        {},
        fields({ productId, ids: `${second.id},${created.id}` }),
      ),
    ).toEqual({ done: "reordered" });
    expect(
      await actions.reorderLessonsAction({}, fields({ productId, ids: `${second.id}` })),
    ).toEqual({ error: "invalid" });
    const rows = await db().select().from(lessons).orderBy(asc(lessons.position));
    expect(rows.map((row) => [row.id, row.position, row.titleEn])).toEqual([
      [second.id, 0, lesson.titleEn],
      [created.id, 1, "Lesson one"],
    ]);
    expect(await actions.deleteLessonAction({}, fields({ lessonId: second.id! }))).toEqual({
      done: "deleted",
    });
    expect(await actions.deleteLessonAction({}, fields({ lessonId: second.id! }))).toEqual({
      error: "not_found",
    });
    const audits = await auditOf(created.id!);
    expect(audits.map((row) => row.action)).toEqual(["lesson.create", "lesson.update"]);
    expect(audits[1]!.details).toMatchObject({
      before: { titleEn: lesson.titleEn },
      after: { titleEn: "Lesson one" },
    });
    expect((await auditOf(productId)).map((row) => row.action)).toEqual(["lesson.reorder"]);
    expect((await auditOf(second.id!)).map((row) => row.action)).toEqual([
      "lesson.create",
      "lesson.delete",
    ]);
  });

  it("refuses empty or long titles, long bodies, non-https videos, membership plans", async () => {
    const refused = await actions.saveLessonAction(
      {},
      fields({
        productId,
        titleZh: " ",
        titleEn: "x".repeat(201),
        bodyZh: "x".repeat(100_001),
        bodyEn: "",
        videoUrl: "http://video.example.com/1",
      }),
    );
    expect(refused.fields).toEqual({
      titleZh: ["title.required"],
      titleEn: ["title.too_long"],
      bodyZh: ["body.too_long"],
      videoUrl: ["videoUrl.https"],
    });
    for (const videoUrl of ["javascript:alert(1)", "https://", "https://a b"]) {
      const r = await actions.saveLessonAction({}, fields({ productId, ...lesson, videoUrl }));
      expect(r.fields?.videoUrl, videoUrl).toBeDefined();
    }
    // Exactly at the limits is fine; no video is fine.
    const atLimits = await actions.saveLessonAction(
      {},
      fields({
        productId,
        ...lesson,
        titleEn: "长".repeat(200),
        bodyZh: "字".repeat(100_000),
        videoUrl: "",
      }),
    );
    expect(atLimits.saved).toBe("created");
    const plan = await makeProduct(db(), { kind: "membership", periodDays: 30 });
    expect(
      await actions.saveLessonAction({}, fields({ productId: plan.id, ...lesson })),
    ).toMatchObject({ error: "invalid" });
    expect(
      await actions.saveLessonAction({}, fields({ productId: "prd_nope", ...lesson })),
    ).toMatchObject({ error: "not_found" });
    expect(await db().select().from(lessons)).toHaveLength(1);
  });

  it("a buyer or nobody: refused, nothing written", async () => {
    guard.user = null;
    expect(await actions.saveLessonAction({}, fields({ productId, ...lesson }))).toMatchObject({
      error: "unauthorized",
    });
    guard.user = { id: "usr_x", role: "buyer" };
    expect(await actions.saveLessonAction({}, fields({ productId, ...lesson }))).toMatchObject({
      error: "forbidden",
    });
    expect(await actions.savePostAction({}, fields(lesson))).toMatchObject({ error: "forbidden" });
    expect(await db().select().from(lessons)).toEqual([]);
  });
});

describe("members' posts", () => {
  it("a draft, edited, published, unpublished, deleted — each audited", async () => {
    const post = { titleZh: "本周更新", titleEn: "This week", bodyZh: "内容", bodyEn: "Body" };
    const created = await actions.savePostAction({}, fields(post));
    expect(created).toMatchObject({ saved: "created", id: expect.stringMatching(/^pst_/) });
    const [draft] = await db().select().from(memberPosts);
    expect(draft!.publishedAt).toBeNull();
    expect(
      await actions.savePostAction({}, fields({ postId: created.id!, ...post, bodyEn: "New" })),
    ).toMatchObject({ saved: "updated" });
    expect(
      await actions.publishPostAction({}, fields({ postId: created.id!, published: "true" })),
    ).toEqual({ done: "published" });
    expect(
      await actions.publishPostAction({}, fields({ postId: created.id!, published: "true" })),
    ).toEqual({ done: "unchanged" });
    const [live] = await db().select().from(memberPosts);
    expect(live!.publishedAt).toBeInstanceOf(Date);
    expect(
      await actions.publishPostAction({}, fields({ postId: created.id!, published: "false" })),
    ).toEqual({ done: "unpublished" });
    expect(
      await actions.publishPostAction({}, fields({ postId: created.id!, published: "maybe" })),
    ).toEqual({ error: "invalid" });
    expect(await actions.savePostAction({}, fields({ ...post, titleZh: "" }))).toMatchObject({
      fields: { titleZh: ["title.required"] },
    });
    expect(await actions.deletePostAction({}, fields({ postId: created.id! }))).toEqual({
      done: "deleted",
    });
    expect(await db().select().from(memberPosts)).toEqual([]);
    const audits = await auditOf(created.id!);
    expect(audits.map((row) => row.action)).toEqual([
      "post.create",
      "post.update",
      "post.publish",
      "post.unpublish",
      "post.delete",
    ]);
    expect(audits.every((row) => row.actorUserId === admin.id)).toBe(true);
    expect(audits[2]!.details).toMatchObject({
      before: { publishedAt: null },
      after: { publishedAt: expect.any(String) },
    });
  });
});

describe("the product editor's PDF stamping switch", () => {
  const productForm = (slug: string, extra: [string, string][]) => {
    const data = fields({
      productId,
      slug,
      kind: "one_off",
      nameZh: "课程",
      nameEn: "Course",
      descriptionZh: "描述",
      descriptionEn: "Description",
      price: "9.90",
      sortOrder: "0",
    });
    for (const [key, value] of extra) data.append(key, value);
    return data;
  };

  it("off and on again through the form (hidden false, then the checkbox), audited before/after", async () => {
    const { updateProductAction } = await import("@/lib/admin/products-actions");
    const [product] = await db().select().from(products).where(eq(products.id, productId));
    expect(product!.stampPdfs).toBe(true);
    const off = await updateProductAction({}, productForm(product!.slug, [["stampPdfs", "false"]]));
    expect(off).toMatchObject({ saved: "updated" });
    const [afterOff] = await db().select().from(products).where(eq(products.id, productId));
    expect(afterOff!.stampPdfs).toBe(false);
    const on = await updateProductAction(
      {},
      productForm(product!.slug, [
        ["stampPdfs", "false"],
        ["stampPdfs", "true"],
      ]),
    );
    expect(on).toMatchObject({ saved: "updated" });
    // A form that does not name the switch leaves it as it is.
    expect(await updateProductAction({}, productForm(product!.slug, []))).toMatchObject({
      saved: "unchanged",
    });
    const rows = (await auditOf(productId)).filter((row) => row.action === "product.update");
    expect(rows[0]!.details).toMatchObject({
      before: { stampPdfs: true },
      after: { stampPdfs: false },
    });
    expect(rows.at(-1)!.details).toMatchObject({
      before: { stampPdfs: false },
      after: { stampPdfs: true },
    });
    const [final] = await db().select().from(products).where(eq(products.id, productId));
    expect(final!.stampPdfs).toBe(true);
  });
});
