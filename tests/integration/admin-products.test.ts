import { and, asc, eq } from "drizzle-orm";
import { PNG } from "pngjs";
import { beforeEach, describe, expect, it } from "vitest";
import { GET as coverRoute } from "@/app/(shop)/products/[slug]/cover.png/route";
import { listProductsForAdmin } from "@/db/queries/admin-products";
import { listActiveProducts } from "@/db/queries/products";
import { auditLog, coverImages, products, users, type Product } from "@/db/schema";
import {
  adminCoverResponse,
  handleCoverUpload,
  readCappedBytes,
} from "@/lib/admin/products-cover-upload";
import {
  createProduct,
  editProduct,
  removeCover,
  setProductActive,
  uploadCover,
} from "@/lib/admin/products";
import { isAppError } from "@/lib/errors";
import { errorResponse } from "@/lib/http/json";
import { coverPath } from "@/lib/shop/artwork";
import { errorChain } from "@/db/errors";
import { seed, withTestDatabase } from "../helpers/db";

const t = withTestDatabase();
const CAP = 10_000;
let adminId: string;

beforeEach(async () => {
  await seed(t.db());
  const [admin] = await t.db().select().from(users).where(eq(users.role, "admin"));
  adminId = admin!.id;
});

const form = (overrides: Record<string, unknown> = {}) => ({
  slug: "pdf-guide",
  kind: "one_off",
  nameZh: "指南",
  nameEn: "Guide",
  descriptionZh: "一本指南。",
  descriptionEn: "A guide.",
  contentZh: "",
  contentEn: "",
  price: "19.90",
  periodDays: "",
  credits: "",
  sortOrder: "5",
  ...overrides,
});

const auditOf = (targetId: string) =>
  t.db().select().from(auditLog).where(eq(auditLog.targetId, targetId)).orderBy(asc(auditLog.id));

function png(width: number, height: number): Uint8Array<ArrayBuffer> {
  const image = new PNG({ width, height });
  image.data.fill(200);
  return new Uint8Array(PNG.sync.write(image));
}

async function created(overrides: Record<string, unknown> = {}): Promise<Product> {
  const result = await createProduct(t.db(), adminId, form(overrides), CAP);
  if (!result.ok) throw new Error(JSON.stringify(result.fields));
  return result.product;
}

const getCover = (slug: string, search = "", headers: Record<string, string> = {}) =>
  coverRoute(new Request(`http://localhost/products/${slug}/cover.png${search}`, { headers }), {
    params: Promise.resolve({ slug }),
  });

describe("creating a product", () => {
  it("saves the terms in fen, on sale, and audits product.create with the terms", async () => {
    const product = await created({ price: "19.9" });
    expect(product).toMatchObject({
      slug: "pdf-guide",
      kind: "one_off",
      priceFen: 1990,
      periodDays: null,
      credits: null,
      contentZh: null,
      sortOrder: 5,
      active: true,
      coverSha256: null,
    });
    const [entry, ...more] = await auditOf(product.id);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      actorKind: "user",
      actorUserId: adminId,
      action: "product.create",
      targetType: "product",
    });
    expect(entry!.details).toMatchObject({ after: { slug: "pdf-guide", priceFen: 1990 } });
    expect((await listActiveProducts(t.db())).map((p) => p.slug)).toContain("pdf-guide");
  });

  it("keeps a membership's period and a pack's credits, ignoring the other kind's field", async () => {
    const plan = await created({
      slug: "plan-14",
      kind: "membership",
      price: "25",
      periodDays: "14",
      credits: "99",
    });
    expect(plan).toMatchObject({
      kind: "membership",
      priceFen: 2500,
      periodDays: 14,
      credits: null,
    });
    const pack = await created({
      slug: "pack-50",
      kind: "credit_pack",
      credits: "50",
      periodDays: "9",
    });
    expect(pack).toMatchObject({ kind: "credit_pack", credits: 50, periodDays: null });
  });

  it("refuses a taken slug on the slug field, and writes nothing", async () => {
    const before = (await t.db().select().from(products)).length;
    const result = await createProduct(t.db(), adminId, form({ slug: "membership-weekly" }), CAP);
    expect(result).toEqual({ ok: false, fields: { slug: ["slug.taken"] } });
    expect((await t.db().select().from(products)).length).toBe(before);
    expect(await t.db().select().from(auditLog)).toEqual([]);
  });

  it("holds memberships to the Alipay plan rules (period ≥ 7 days, price within the cap)", async () => {
    const short = await createProduct(
      t.db(),
      adminId,
      form({ slug: "plan-x", kind: "membership", periodDays: "6", price: "100.01" }),
      CAP,
    );
    expect(short).toEqual({
      ok: false,
      fields: { periodDays: ["periodDays.min"], price: ["price.cap"] },
    });
    const missing = await createProduct(
      t.db(),
      adminId,
      form({ slug: "plan-x", kind: "membership" }),
      CAP,
    );
    expect(missing).toEqual({ ok: false, fields: { periodDays: ["periodDays.required"] } });
    // At the cap exactly is allowed.
    const atCap = await createProduct(
      t.db(),
      adminId,
      form({ slug: "plan-x", kind: "membership", periodDays: "7", price: "100" }),
      CAP,
    );
    expect(atCap.ok).toBe(true);
  });

  it("answers garbage with field codes, never a throw: wrong types, huge strings, negatives, unknown kinds", async () => {
    const cases: [Record<string, unknown>, Record<string, string[]>][] = [
      [{ price: "-5" }, { price: ["price.invalid"] }],
      [{ price: "0" }, { price: ["price.min"] }],
      [{ price: "0.001" }, { price: ["price.invalid"] }],
      [{ price: "1e3" }, { price: ["price.invalid"] }],
      [{ price: "1000000.01" }, { price: ["price.max"] }],
      [{ price: "9".repeat(5000) }, { price: ["price.invalid"] }],
      [{ price: 12 }, { price: ["price.required"] }],
      [{ kind: "subscription" }, { kind: ["kind.invalid"] }],
      [{ kind: ["one_off"] }, { kind: ["kind.invalid"] }],
      [{ slug: "Bad Slug" }, { slug: ["slug.invalid"] }],
      [{ slug: "x".repeat(81) }, { slug: ["slug.invalid"] }],
      [{ slug: "" }, { slug: ["slug.required"] }],
      [{ nameZh: "  " }, { nameZh: ["name.required"] }],
      [{ nameEn: "n".repeat(121) }, { nameEn: ["name.too_long"] }],
      [{ descriptionEn: "d".repeat(1_000_000) }, { descriptionEn: ["description.too_long"] }],
      [{ contentZh: { evil: true } }, { contentZh: ["content.invalid"] }],
      [{ sortOrder: "-1" }, { sortOrder: ["sortOrder.invalid"] }],
      [{ kind: "credit_pack", credits: "0" }, { credits: ["credits.invalid"] }],
      [{ kind: "credit_pack", credits: "2.5" }, { credits: ["credits.invalid"] }],
      [{ kind: "credit_pack", credits: "1000001" }, { credits: ["credits.max"] }],
      [{ kind: "membership", periodDays: "3651" }, { periodDays: ["periodDays.max"] }],
      [{ kind: "membership", periodDays: "seven" }, { periodDays: ["periodDays.invalid"] }],
    ];
    for (const [overrides, fields] of cases) {
      const result = await createProduct(t.db(), adminId, form(overrides), CAP);
      expect(result, JSON.stringify(overrides).slice(0, 80)).toEqual({ ok: false, fields });
    }
    for (const input of [null, undefined, 42, "slug=x", [], {}]) {
      const result = await createProduct(t.db(), adminId, input, CAP);
      expect(result.ok).toBe(false);
    }
    expect(await t.db().select().from(auditLog)).toEqual([]);
  });
});

describe("editing a product", () => {
  it("saves what changed and audits product.update with the before and after of those fields only", async () => {
    const product = await created();
    const result = await editProduct(
      t.db(),
      adminId,
      product.id,
      form({ price: "29.90", nameEn: "Guide, 2nd edition" }),
      CAP,
    );
    expect(result).toMatchObject({ ok: true, changed: true, product: { priceFen: 2990 } });
    const [, update] = await auditOf(product.id);
    expect(update).toMatchObject({ action: "product.update", actorUserId: adminId });
    expect(update!.details).toEqual({
      before: { priceFen: 1990, nameEn: "Guide" },
      after: { priceFen: 2990, nameEn: "Guide, 2nd edition" },
    });
  });

  it("writes nothing when nothing changed", async () => {
    const product = await created();
    const result = await editProduct(t.db(), adminId, product.id, form(), CAP);
    expect(result).toMatchObject({ ok: true, changed: false });
    expect(await auditOf(product.id)).toHaveLength(1);
  });

  it("refuses another product's slug and a change of kind; unknown ids are not_found", async () => {
    const product = await created();
    expect(
      await editProduct(t.db(), adminId, product.id, form({ slug: "credits-10" }), CAP),
    ).toEqual({ ok: false, fields: { slug: ["slug.taken"] } });
    expect(
      await editProduct(
        t.db(),
        adminId,
        product.id,
        form({ kind: "credit_pack", credits: "5" }),
        CAP,
      ),
    ).toEqual({ ok: false, fields: { kind: ["kind.locked"] } });
    await expect(
      editProduct(t.db(), adminId, "prd_nope", form({ slug: "fresh-slug" }), CAP),
    ).rejects.toSatisfy((error) => isAppError(error, "not_found"));
    expect(await auditOf(product.id)).toHaveLength(1);
  });
});

describe("deactivating and reactivating", () => {
  it("takes the product out of the catalogue and its cover route, then back; each audited once", async () => {
    const product = await created();
    expect((await setProductActive(t.db(), adminId, product.id, false)).changed).toBe(true);
    expect((await setProductActive(t.db(), adminId, product.id, false)).changed).toBe(false);
    expect((await listActiveProducts(t.db())).map((p) => p.slug)).not.toContain("pdf-guide");
    expect((await listProductsForAdmin(t.db())).at(-1)?.slug).toBe("pdf-guide");
    expect((await getCover("pdf-guide")).status).toBe(404);
    await setProductActive(t.db(), adminId, product.id, true);
    expect((await listActiveProducts(t.db())).map((p) => p.slug)).toContain("pdf-guide");
    const entries = await auditOf(product.id);
    expect(entries.map((e) => [e.action, e.details])).toEqual([
      ["product.create", expect.anything()],
      ["product.deactivate", { before: { active: true }, after: { active: false } }],
      ["product.reactivate", { before: { active: false }, after: { active: true } }],
    ]);
  });
});

describe("covers", () => {
  it("stores the upload by its hash, serves it with an ETag and a year's cache under the hashed URL", async () => {
    const product = await created();
    const image = png(40, 21);
    const { product: after, changed } = await uploadCover(t.db(), adminId, product.id, image);
    expect(changed).toBe(true);
    expect(after.coverSha256).toMatch(/^[0-9a-f]{64}$/);
    const url = coverPath(after.slug, after.coverSha256);
    expect(url).toBe(`/products/pdf-guide/cover.png?v=${after.coverSha256!.slice(0, 16)}`);

    const response = await getCover("pdf-guide", url.slice(url.indexOf("?")));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(response.headers.get("etag")).toBe(`"${after.coverSha256}"`);
    expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(image))).toBe(true);

    // Without the current hash (an old link): the same cover, but looked at again soon.
    const bare = await getCover("pdf-guide");
    expect(bare.headers.get("cache-control")).toBe("public, max-age=300, must-revalidate");
    const notModified = await getCover("pdf-guide", "", {
      "if-none-match": `"${after.coverSha256}"`,
    });
    expect(notModified.status).toBe(304);

    const [entry] = (await auditOf(product.id)).filter((e) => e.action === "product.cover_upload");
    expect(entry!.details).toEqual({
      before: { coverSha256: null },
      after: { coverSha256: after.coverSha256 },
      contentType: "image/png",
      byteSize: image.length,
      width: 40,
      height: 21,
    });
  });

  it("a replaced cover has a new URL and the old image is deleted; removing brings back the generated one", async () => {
    const product = await created();
    const first = (await uploadCover(t.db(), adminId, product.id, png(40, 21))).product;
    const second = (await uploadCover(t.db(), adminId, product.id, png(80, 42))).product;
    expect(coverPath(second.slug, second.coverSha256)).not.toBe(
      coverPath(first.slug, first.coverSha256),
    );
    const stored = await t.db().select({ sha256: coverImages.sha256 }).from(coverImages);
    expect(stored).toEqual([{ sha256: second.coverSha256 }]);

    const removed = await removeCover(t.db(), adminId, product.id);
    expect(removed.product.coverSha256).toBeNull();
    expect(await t.db().select().from(coverImages)).toEqual([]);
    const generated = await getCover("pdf-guide");
    expect(generated.headers.get("content-type")).toBe("image/png");
    expect(generated.headers.get("cache-control")).toContain("max-age=3600");
    expect(generated.headers.get("etag")).toBeNull();

    const actions = (await auditOf(product.id)).map((e) => e.action);
    expect(actions).toEqual([
      "product.create",
      "product.cover_upload",
      "product.cover_upload",
      "product.cover_remove",
    ]);
    // Removing again changes nothing and writes nothing.
    expect((await removeCover(t.db(), adminId, product.id)).changed).toBe(false);
    expect(await auditOf(product.id)).toHaveLength(4);
  });

  it("keeps an image two products share until neither uses it", async () => {
    const a = await created();
    const b = await created({ slug: "other-guide" });
    const image = png(10, 10);
    await uploadCover(t.db(), adminId, a.id, image);
    await uploadCover(t.db(), adminId, b.id, image);
    await removeCover(t.db(), adminId, a.id);
    expect(await t.db().select().from(coverImages)).toHaveLength(1);
    expect((await getCover("other-guide")).headers.get("content-type")).toBe("image/png");
    await removeCover(t.db(), adminId, b.id);
    expect(await t.db().select().from(coverImages)).toHaveLength(0);
  });

  it("the upload route refuses oversized (413), forged (415) and empty (422) files with the reason, and unknown products (404)", async () => {
    const product = await created();
    const admin = { id: adminId, email: "a@x", name: null, role: "admin" as const };
    const post = async (
      body: BodyInit | null,
      headers: Record<string, string> = {},
      id = product.id,
    ) => {
      try {
        const { status, body: json } = await handleCoverUpload(
          t.db(),
          admin,
          id,
          new Request("http://localhost/api/admin/products/x/cover", {
            method: "POST",
            body,
            headers,
            // @ts-expect-error -- Node's fetch needs this for a stream body
            duplex: "half",
          }),
        );
        return { status, body: json as unknown };
      } catch (error) {
        const response = errorResponse(error);
        return { status: response.status, body: (await response.json()) as unknown };
      }
    };
    const tooBig = new Uint8Array(2 * 1024 * 1024 + 1);
    tooBig.set(png(4, 4));
    expect(await post(tooBig)).toMatchObject({
      status: 413,
      body: { error: { code: "payload_too_large", fields: { cover: ["cover.too_large"] } } },
    });
    // A lying Content-Length is refused before the body is read.
    expect((await post(png(4, 4), { "content-length": String(10 * 1024 * 1024) })).status).toBe(
      413,
    );
    // A stream larger than the cap without any length.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 3; i++) controller.enqueue(new Uint8Array(1024 * 1024));
        controller.close();
      },
    });
    expect((await post(stream)).status).toBe(413);
    // A text file named and typed as a PNG: the bytes decide.
    expect(await post(new Blob(["<svg onload=alert(1)>"], { type: "image/png" }))).toMatchObject({
      status: 415,
      body: { error: { code: "unsupported_media_type", fields: { cover: ["cover.type"] } } },
    });
    // A PNG signature with nothing after it.
    expect((await post(png(4, 4).subarray(0, 12))).status).toBe(415);
    expect(await post(new Uint8Array())).toMatchObject({
      status: 422,
      body: { error: { fields: { cover: ["cover.empty"] } } },
    });
    expect((await post(png(4, 4), {}, "prd_missing")).status).toBe(404);
    // None of these stored or audited anything.
    expect(await t.db().select().from(coverImages)).toEqual([]);
    expect(await auditOf(product.id)).toHaveLength(1);

    const ok = await post(png(12, 6));
    expect(ok).toMatchObject({ status: 201, body: { changed: true } });
    const again = await post(png(12, 6));
    expect(again).toMatchObject({ status: 200, body: { changed: false } });
  });

  it("the admin's preview serves an uploaded cover of a product off sale, and 404 without one", async () => {
    const product = await created();
    const image = png(30, 15);
    await uploadCover(t.db(), adminId, product.id, image);
    await setProductActive(t.db(), adminId, product.id, false);
    expect((await getCover("pdf-guide")).status).toBe(404);
    const preview = await adminCoverResponse(t.db(), product.id);
    expect(preview.headers.get("content-type")).toBe("image/png");
    expect(preview.headers.get("cache-control")).toBe("private, no-store");
    expect(Buffer.from(await preview.arrayBuffer()).equals(Buffer.from(image))).toBe(true);
    await removeCover(t.db(), adminId, product.id);
    for (const id of [product.id, "prd_missing", "../x"]) {
      await expect(adminCoverResponse(t.db(), id)).rejects.toSatisfy((error) =>
        isAppError(error, "not_found"),
      );
    }
  });

  it("readCappedBytes returns the whole body under the cap", async () => {
    const bytes = await readCappedBytes(
      new Request("http://localhost/", { method: "POST", body: new Uint8Array([1, 2, 3]) }),
      3,
    );
    expect([...bytes]).toEqual([1, 2, 3]);
  });

  it("the catalogue rows carry the cover hash the shop's pages put in the URL", async () => {
    const product = await created();
    await uploadCover(t.db(), adminId, product.id, png(20, 10));
    const [row] = await t
      .db()
      .select()
      .from(products)
      .where(and(eq(products.slug, "pdf-guide"), eq(products.active, true)));
    expect(row!.coverSha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("the cover table's constraints", () => {
  const row = (overrides: Partial<typeof coverImages.$inferInsert> = {}) => ({
    sha256: "a".repeat(64),
    contentType: "image/png",
    bytes: Buffer.from([1, 2, 3]),
    byteSize: 3,
    width: 1,
    height: 1,
    ...overrides,
  });
  /** The name of the constraint the database refused the statement with. */
  const violated = (statement: Promise<unknown>) =>
    statement.then(
      () => null,
      (error: unknown) =>
        errorChain(error)
          .map((e) => {
            const { constraint, constraint_name } = e as Record<string, unknown>;
            return constraint ?? constraint_name;
          })
          .find((name) => typeof name === "string") ?? String(error),
    );
  const refused = async (values: typeof coverImages.$inferInsert, constraint: string) =>
    expect(await violated(t.db().insert(coverImages).values(values))).toBe(constraint);

  it("refuses a bad hash, a type other than PNG/JPEG/WebP, a wrong size and an empty image", async () => {
    await refused(row({ sha256: "XYZ" }), "cover_images_sha256_hex");
    await refused(row({ contentType: "image/svg+xml" }), "cover_images_content_type");
    await refused(row({ byteSize: 4 }), "cover_images_size");
    await refused(row({ bytes: Buffer.alloc(0), byteSize: 0 }), "cover_images_size");
    await refused(row({ width: 0 }), "cover_images_dimensions");
    await t.db().insert(coverImages).values(row());
  });

  it("a product cannot name a cover that is not stored", async () => {
    const product = await created();
    expect(
      await violated(
        t
          .db()
          .update(products)
          .set({ coverSha256: "b".repeat(64) })
          .where(eq(products.id, product.id)),
      ),
    ).toBe("products_cover_sha256_cover_images_sha256_fk");
  });
});
