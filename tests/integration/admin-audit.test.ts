import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { and, eq, gt } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type * as StorageModule from "@/lib/storage";
import { PNG } from "pngjs";
import {
  agreements,
  auditLog,
  lessons,
  memberPosts,
  orders,
  productFiles,
  products,
  webhookInbox,
} from "@/db/schema";
import { newId } from "@/lib/ids";
import { startSubscription } from "@/lib/subscriptions/start";
import { alipayTestbed, type AlipayTestbed } from "../helpers/alipay-testbed";
import { appPaths } from "../helpers/app-paths";
import { atShanghaiHour, billingDeps } from "../helpers/billing-testbed";
import { makeNotice, makeUser } from "../helpers/factories";
import { paidYouzanOrder, reviewOrder } from "../helpers/order-fixtures";
import { storedTradePaidBody, unusedGateway, webhookDeps } from "../helpers/webhook-deps";
import { seed, withTestDatabase } from "../helpers/db";

/*
 * Issue #11, acceptance 6: every admin action writes an audit row. The actions are found on disk
 * — every mutating handler (POST/PUT/PATCH/DELETE) of a route under app/api/admin, and every
 * server action ("use server") of the admin — and each must have a scenario below that performs
 * it as the signed-in admin and finds its audit row (action, actor, target, before/after). A new
 * action without a scenario fails the first test.
 */

const guard = vi.hoisted(() => ({ admin: null as { id: string; role: "admin" } | null }));
const runtime = vi.hoisted(() => ({ deps: null as unknown }));
vi.mock("@/lib/auth/guards", async () => {
  const { AppError } = await import("@/lib/errors");
  const admin = () => {
    if (!guard.admin) throw new AppError("unauthorized", "Sign in first.");
    return guard.admin;
  };
  return {
    assertAdmin: async () => admin(),
    requireAdmin: async () => admin(),
    assertUser: async () => admin(),
    requireUser: async () => admin(),
    getCurrentUser: async () => guard.admin,
  };
});
vi.mock("@/lib/runtime", () => ({
  getBillingRuntime: async () => runtime.deps,
  getRuntime: async () => runtime.deps,
  kickNotices: vi.fn(),
}));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn() }));
// Uploaded files go to a directory of this test, not the shop's storage.
const storageRoot = vi.hoisted(() => ({ dir: "" }));
vi.mock("@/lib/storage", async (original) => {
  const real = await original<typeof StorageModule>();
  const { localStorage } = await import("@/lib/storage/local");
  return { ...real, getStorage: () => localStorage(storageRoot.dir) };
});
// A server action's redirect on success: thrown as Next throws it, caught by the scenario.
vi.mock("next/navigation", () => ({
  redirect: (to: string) => {
    throw Object.assign(new Error(`redirect ${to}`), { redirectTo: to });
  },
  notFound: () => {
    throw new Error("not found");
  },
}));

const t = withTestDatabase();
let bed: AlipayTestbed;

beforeEach(async () => {
  storageRoot.dir = mkdtempSync(path.join(tmpdir(), "xiaopu-audit-files-"));
  await seed(t.db());
  bed = await alipayTestbed(t.db());
  await atShanghaiHour(bed, 10);
  runtime.deps = billingDeps(bed);
  const admin = await makeUser(t.db(), { role: "admin" });
  guard.admin = { id: admin.id, role: "admin" };
});
afterEach(async () => {
  await bed.close();
  rmSync(storageRoot.dir, { recursive: true, force: true });
});

const db = () => t.db();

/** The mutating admin routes (`POST /api/admin/subscriptions/x/x`) and server action files. */
function adminActions(): string[] {
  const routes = appPaths()
    .filter((p) => !p.page && p.path.startsWith("/api/admin/"))
    .flatMap((p) => p.methods.filter((m) => m !== "GET").map((m) => `${m} ${p.path}`));
  const root = path.resolve(import.meta.dirname, "../..");
  const serverActions: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) {
        if (/^\s*["']use server["']/.test(readFileSync(full, "utf8"))) {
          serverActions.push(`action ${path.relative(root, full)}`);
        }
      }
    }
  };
  for (const dir of ["lib/admin", "lib/billing", "app/admin", "components/admin"]) {
    walk(path.join(root, dir));
  }
  return [...routes, ...serverActions].sort();
}

/** Audit rows written after `since` (an id), oldest first. */
const auditSince = (since: number) =>
  db().select().from(auditLog).where(gt(auditLog.id, since)).orderBy(auditLog.id);
const lastAuditId = async () => {
  const rows = await db().select({ id: auditLog.id }).from(auditLog);
  return rows.reduce((max, row) => Math.max(max, row.id), 0);
};

const post = (url: string, body: unknown) =>
  new Request(`http://shop.test${url}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

/** An active weekly agreement (period 1 paid through the sandbox). */
async function activeAgreement() {
  const buyer = await makeUser(db());
  const started = await startSubscription(bed.deps, {
    userId: buyer.id,
    productSlug: "membership-weekly",
  });
  expect((await bed.control("sign", { signUrl: started.signUrl })).status).toBe(200);
  await bed.deliver();
  const [row] = await db().select().from(agreements).where(eq(agreements.id, started.agreementId));
  expect(row?.status).toBe("active");
  return row!;
}

type Scenario = () => Promise<void>;

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.append(key, value);
  return data;
};

/** Runs a server action that redirects on success; returns where it went (or its state). */
async function redirected(run: () => Promise<unknown>): Promise<string> {
  try {
    const state = await run();
    throw new Error(`no redirect: ${JSON.stringify(state)}`);
  } catch (error) {
    const to = (error as { redirectTo?: string }).redirectTo;
    if (!to) throw error;
    return to;
  }
}

function png(): Uint8Array<ArrayBuffer> {
  const image = new PNG({ width: 4, height: 3 });
  image.data.fill(120);
  return new Uint8Array(PNG.sync.write(image));
}

const productFields = {
  slug: "audit-guide",
  kind: "one_off",
  nameZh: "审计指南",
  nameEn: "Audit guide",
  descriptionZh: "一本指南。",
  descriptionEn: "A guide.",
  contentZh: "",
  contentEn: "",
  price: "19.90",
  periodDays: "",
  credits: "",
  sortOrder: "5",
};

/** Audit rows about one record, oldest first. */
const auditOf = (targetId: string) =>
  db().select().from(auditLog).where(eq(auditLog.targetId, targetId)).orderBy(auditLog.id);

const orderContext = (orderNo: string) => ({ params: Promise.resolve({ orderNo }) });

/** The order actions' audit rows about one order since `since`. */
const orderAudit = async (orderId: string, since: number) =>
  (await auditSince(since)).filter((row) => row.targetId === orderId);

/** A small PDF as the admin's browser uploads it (multipart/form-data, one part `file`). */
function pdfUpload(name = "讲义.pdf"): Request {
  const body = new FormData();
  const bytes = new Uint8Array(2000);
  bytes.set(new TextEncoder().encode("%PDF-1.7\n"));
  body.append("file", new File([bytes], name));
  return new Request("http://shop.test/x", { method: "POST", body });
}

/** A one-off product of the seed and a file uploaded to it. */
async function uploadedFile() {
  const [product] = await db().select().from(products).where(eq(products.kind, "one_off")).limit(1);
  const { POST } = await import("@/app/api/admin/uploads/products/[id]/route");
  const response = await POST(pdfUpload(), { params: Promise.resolve({ id: product!.id }) });
  expect(response.status).toBe(201);
  const { file } = (await response.json()) as { file: { id: string } };
  return { productId: product!.id, fileId: file.id };
}

const fileContext = (id: string) => ({ params: Promise.resolve({ id }) });

const SCENARIOS: Record<string, Scenario> = {
  "POST /api/admin/uploads/products/x": async () => {
    const since = await lastAuditId();
    const { productId, fileId } = await uploadedFile();
    const [row] = await auditSince(since);
    expect(row).toMatchObject({
      action: "file.upload",
      actorUserId: guard.admin!.id,
      targetType: "product_file",
      targetId: fileId,
      details: { productId, before: null, after: { fileName: "讲义.pdf", byteSize: 2000 } },
    });
  },
  "POST /api/admin/uploads/members": async () => {
    const { POST } = await import("@/app/api/admin/uploads/members/route");
    const since = await lastAuditId();
    const response = await POST(pdfUpload("会员手册.pdf"), { params: Promise.resolve({}) });
    expect(response.status).toBe(201);
    const [row] = await auditSince(since);
    expect(row).toMatchObject({
      action: "file.upload",
      actorUserId: guard.admin!.id,
      details: { productId: null, after: { fileName: "会员手册.pdf" } },
    });
  },
  "POST /api/admin/uploads/files/x": async () => {
    const { fileId } = await uploadedFile();
    const { POST } = await import("@/app/api/admin/uploads/files/[id]/route");
    const since = await lastAuditId();
    expect((await POST(pdfUpload("新版.pdf"), fileContext(fileId))).status).toBe(200);
    const [row] = await auditSince(since);
    expect(row).toMatchObject({
      action: "file.replace",
      actorUserId: guard.admin!.id,
      targetId: fileId,
      details: { before: { byteSize: 2000 }, after: { byteSize: 2000 } },
    });
  },
  "PATCH /api/admin/files/x": async () => {
    const { fileId } = await uploadedFile();
    const { PATCH } = await import("@/app/api/admin/files/[id]/route");
    const since = await lastAuditId();
    const response = await PATCH(
      new Request("http://shop.test/x", {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ fileName: "第一章.pdf" }),
      }),
      fileContext(fileId),
    );
    expect(response.status).toBe(200);
    const [row] = await auditSince(since);
    expect(row).toMatchObject({
      action: "file.rename",
      actorUserId: guard.admin!.id,
      targetId: fileId,
      details: { before: { fileName: "讲义.pdf" }, after: { fileName: "第一章.pdf" } },
    });
  },
  "DELETE /api/admin/files/x": async () => {
    const { fileId } = await uploadedFile();
    const { DELETE } = await import("@/app/api/admin/files/[id]/route");
    const since = await lastAuditId();
    const response = await DELETE(
      new Request("http://shop.test/x", { method: "DELETE" }),
      fileContext(fileId),
    );
    expect(response.status).toBe(200);
    expect(await db().select().from(productFiles).where(eq(productFiles.id, fileId))).toEqual([]);
    const [row] = await auditSince(since);
    expect(row).toMatchObject({
      action: "file.delete",
      actorUserId: guard.admin!.id,
      targetId: fileId,
      details: { before: { fileName: "讲义.pdf" }, after: null },
    });
  },
  "POST /api/admin/files/reorder": async () => {
    const first = await uploadedFile();
    const second = await uploadedFile();
    const { POST } = await import("@/app/api/admin/files/reorder/route");
    const since = await lastAuditId();
    const ids = [second.fileId, first.fileId];
    const response = await POST(post("/x", { productId: first.productId, ids }), {
      params: Promise.resolve({}),
    });
    expect(response.status).toBe(200);
    const [row] = await auditSince(since);
    expect(row).toMatchObject({
      action: "file.reorder",
      actorUserId: guard.admin!.id,
      targetType: "product",
      targetId: first.productId,
      details: { before: { order: [first.fileId, second.fileId] }, after: { order: ids } },
    });
  },
  "action lib/admin/content-actions.ts": async () => {
    const actions = await import("@/lib/admin/content-actions");
    const [product] = await db()
      .select()
      .from(products)
      .where(eq(products.kind, "one_off"))
      .limit(1);
    const lesson = { titleZh: "第一课", titleEn: "Lesson 1", bodyZh: "# 你好", bodyEn: "# Hi" };
    const since = await lastAuditId();
    const a = await actions.saveLessonAction({}, form({ productId: product!.id, ...lesson }));
    const b = await actions.saveLessonAction({}, form({ productId: product!.id, ...lesson }));
    await actions.saveLessonAction({}, form({ lessonId: a.id!, ...lesson, titleEn: "One" }));
    await actions.reorderLessonsAction(
      {},
      form({ productId: product!.id, ids: `${b.id},${a.id}` }),
    );
    await actions.deleteLessonAction({}, form({ lessonId: b.id! }));
    const post = { titleZh: "公告", titleEn: "News", bodyZh: "内容", bodyEn: "Body" };
    const p = await actions.savePostAction({}, form(post));
    await actions.savePostAction({}, form({ postId: p.id!, ...post, bodyEn: "More" }));
    await actions.publishPostAction({}, form({ postId: p.id!, published: "true" }));
    await actions.publishPostAction({}, form({ postId: p.id!, published: "false" }));
    await actions.deletePostAction({}, form({ postId: p.id! }));
    const rows = await auditSince(since);
    expect(rows.map((row) => [row.action, row.targetId])).toEqual([
      ["lesson.create", a.id],
      ["lesson.create", b.id],
      ["lesson.update", a.id],
      ["lesson.reorder", product!.id],
      ["lesson.delete", b.id],
      ["post.create", p.id],
      ["post.update", p.id],
      ["post.publish", p.id],
      ["post.unpublish", p.id],
      ["post.delete", p.id],
    ]);
    expect(rows.every((row) => row.actorUserId === guard.admin!.id)).toBe(true);
    expect(rows[2]!.details).toMatchObject({
      before: { titleEn: "Lesson 1" },
      after: { titleEn: "One" },
    });
    expect(await db().select().from(lessons)).toHaveLength(1);
    expect(await db().select().from(memberPosts)).toEqual([]);
  },
  "action lib/admin/inbox-actions.ts": async () => {
    const { reprocessWebhookAction } = await import("@/lib/admin/inbox-actions");
    const now = await bed.deps.now();
    // The Youzan trade is still not visible: the attempt fails again, and is audited all the same.
    runtime.deps = {
      ...webhookDeps(db(), now, { youzan: { ...unusedGateway, getTrade: async () => null } }),
      clock: { now: async () => now },
    };
    const id = newId("evt");
    await db()
      .insert(webhookInbox)
      .values({
        id,
        provider: "youzan",
        eventKey: randomUUID(),
        eventType: "trade_TradePaid",
        signatureValid: true,
        body: storedTradePaidBody("T-audit"),
        status: "dead",
        outcome: "provider_error:unavailable",
        attempts: 3,
        receivedAt: now,
      });
    const since = await lastAuditId();
    expect(await reprocessWebhookAction({}, form({ id }))).toMatchObject({ before: "dead" });
    const [row] = await auditSince(since);
    expect(row).toMatchObject({
      action: "webhook.reprocess",
      actorUserId: guard.admin!.id,
      targetId: id,
      details: { before: { status: "dead", attempts: 3 }, after: { attempts: 4 } },
    });
  },
  "POST /api/admin/orders/x/refund": async () => {
    const { POST } = await import("@/app/api/admin/orders/[orderNo]/refund/route");
    const agreement = await activeAgreement();
    const [order] = await db()
      .select()
      .from(orders)
      .where(and(eq(orders.agreementId, agreement.id), eq(orders.periodIndex, 1)));
    const since = await lastAuditId();
    const response = await POST(
      post("/x", { amount: "9.90", expectedRefundedFen: 0, confirm: "refund" }),
      orderContext(order!.orderNo),
    );
    expect(response.status).toBe(200);
    const rows = await orderAudit(order!.id, since);
    expect(rows.map((row) => row.action)).toEqual(
      expect.arrayContaining(["order.refund_requested", "order.refund"]),
    );
    const refunded = rows.find((row) => row.action === "order.refund")!;
    expect(refunded).toMatchObject({ actorKind: "user", actorUserId: guard.admin!.id });
    expect(refunded.details).toMatchObject({ before: expect.anything(), after: expect.anything() });
  },
  "POST /api/admin/orders/x/mark-refunded": async () => {
    const { POST } = await import("@/app/api/admin/orders/[orderNo]/mark-refunded/route");
    const order = await paidYouzanOrder(db());
    const since = await lastAuditId();
    const response = await POST(
      post("/x", { note: "退回微信转账", confirm: "refunded" }),
      orderContext(order.orderNo),
    );
    expect(response.status).toBe(200);
    const [row] = (await orderAudit(order.id, since)).filter(
      (r) => r.action === "order.refund_recorded",
    );
    expect(row).toMatchObject({ actorUserId: guard.admin!.id, targetType: "order" });
    expect(row!.details).toMatchObject({ before: expect.anything(), after: expect.anything() });
  },
  "POST /api/admin/orders/x/record-refund": async () => {
    const { POST } = await import("@/app/api/admin/orders/[orderNo]/record-refund/route");
    const order = await reviewOrder(db());
    const since = await lastAuditId();
    const response = await POST(
      post("/x", { note: "已线下退款", confirm: "refunded" }),
      orderContext(order.orderNo),
    );
    expect(response.status).toBe(200);
    const [row] = (await orderAudit(order.id, since)).filter(
      (r) => r.action === "order.refund_recorded",
    );
    expect(row).toMatchObject({ actorUserId: guard.admin!.id });
    expect(row!.details).toMatchObject({ before: { orderStatus: "review" } });
  },
  "POST /api/admin/orders/x/accept": async () => {
    const { POST } = await import("@/app/api/admin/orders/[orderNo]/accept/route");
    const order = await reviewOrder(db());
    const since = await lastAuditId();
    const response = await POST(post("/x", { confirm: "accept" }), orderContext(order.orderNo));
    expect(response.status).toBe(200);
    const [row] = (await orderAudit(order.id, since)).filter(
      (r) => r.action === "order.review_accepted",
    );
    expect(row).toMatchObject({ actorUserId: guard.admin!.id });
    expect(row!.details).toMatchObject({ before: { status: "review" } });
  },
  "action lib/admin/products-actions.ts": async () => {
    const actions = await import("@/lib/admin/products-actions");
    const to = await redirected(() => actions.createProductAction({}, form(productFields)));
    const [product] = await db().select().from(products).where(eq(products.slug, "audit-guide"));
    expect(to).toContain(product!.id);
    await redirected(() =>
      actions.updateProductAction(
        {},
        form({ ...productFields, productId: product!.id, price: "29.90" }),
      ),
    ).catch(() => null);
    await actions.setProductActiveAction({}, form({ productId: product!.id, active: "false" }));
    await actions.setProductActiveAction({}, form({ productId: product!.id, active: "true" }));
    const rows = await auditOf(product!.id);
    expect(rows.map((row) => row.action)).toEqual([
      "product.create",
      "product.update",
      "product.deactivate",
      "product.reactivate",
    ]);
    expect(rows.every((row) => row.actorUserId === guard.admin!.id)).toBe(true);
    expect(rows[1]!.details).toMatchObject({
      before: { priceFen: 1990 },
      after: { priceFen: 2990 },
    });
    // The cover's removal is the fourth action of the file (its upload is a route, below).
    const { POST: upload } = await import("@/app/api/admin/products/[id]/cover/route");
    const uploaded = await upload(
      new Request("http://shop.test/x", {
        method: "POST",
        headers: { "content-type": "image/png" },
        body: png(),
      }),
      { params: Promise.resolve({ id: product!.id }) },
    );
    expect(uploaded.status).toBeLessThan(300);
    await actions.removeCoverAction({}, form({ productId: product!.id }));
    expect((await auditOf(product!.id)).slice(4).map((row) => row.action)).toEqual([
      "product.cover_upload",
      "product.cover_remove",
    ]);
  },
  "POST /api/admin/products/x/cover": async () => {
    const [product] = await db()
      .select()
      .from(products)
      .where(eq(products.slug, "notion-for-creators"));
    const { POST: upload } = await import("@/app/api/admin/products/[id]/cover/route");
    const since = await lastAuditId();
    const response = await upload(
      new Request("http://shop.test/x", {
        method: "POST",
        headers: { "content-type": "image/png" },
        body: png(),
      }),
      { params: Promise.resolve({ id: product!.id }) },
    );
    expect(response.status).toBeLessThan(300);
    const [row] = await auditSince(since);
    expect(row).toMatchObject({
      action: "product.cover_upload",
      actorUserId: guard.admin!.id,
      targetId: product!.id,
    });
  },
  "action lib/admin/users-actions.ts": async () => {
    const { changeRoleAction } = await import("@/lib/admin/users-actions");
    const buyer = await makeUser(db());
    const since = await lastAuditId();
    expect(
      await changeRoleAction({}, form({ userId: buyer.id, role: "admin", confirm: "yes" })),
    ).toMatchObject({ done: "changed" });
    const [row] = await auditSince(since);
    expect(row).toMatchObject({
      action: "user.role_change",
      actorUserId: guard.admin!.id,
      targetType: "user",
      targetId: buyer.id,
      details: { before: { role: "buyer" }, after: { role: "admin" } },
    });
  },
  "action lib/admin/users-credits-actions.ts": async () => {
    const { recordCreditUseAction } = await import("@/lib/admin/users-credits-actions");
    const { settlePayment } = await import("@/lib/orders/settle");
    const { makeOrder, makeProduct } = await import("../helpers/factories");
    const buyer = await makeUser(db());
    const pack = await makeProduct(db(), { kind: "credit_pack", credits: 10, priceFen: 2000 });
    const order = await makeOrder(db(), { userId: buyer.id, productId: pack.id, amountFen: 2000 });
    await settlePayment(db(), order.id, {
      provider: "youzan",
      tradeNo: `T-${order.id}`,
      amountFen: 2000,
      paidAt: new Date(),
    });
    const since = await lastAuditId();
    const fields = { userId: buyer.id, amount: "1", note: "一对一咨询", requestKey: randomUUID() };
    expect(await recordCreditUseAction({}, form(fields))).toMatchObject({
      done: "recorded",
      balance: 9,
    });
    const [row] = await auditSince(since);
    expect(row).toMatchObject({
      action: "credits.use_recorded",
      actorUserId: guard.admin!.id,
      targetType: "user",
      targetId: buyer.id,
      details: { amount: 1, before: { balance: 10 }, after: { balance: 9 } },
    });
    // The same form again records nothing more; too many credits is refused, unaudited.
    expect(await recordCreditUseAction({}, form(fields))).toMatchObject({ done: "repeated" });
    expect(
      await recordCreditUseAction({}, form({ ...fields, amount: "10", requestKey: randomUUID() })),
    ).toMatchObject({ error: "insufficient_credits", balance: 9 });
    expect(await auditSince(since)).toHaveLength(1);
  },
  "action lib/billing/admin-actions.ts": async () => {
    const { sandboxBillingAction } = await import("@/lib/billing/admin-actions");
    const since = await lastAuditId();
    expect((await sandboxBillingAction({}, form({ op: "advance", days: "1" }))).clock?.days).toBe(
      1,
    );
    const ran = await sandboxBillingAction({}, form({ op: "run", phase: "charge", dryRun: "1" }));
    expect(ran.report?.phase).toBe("charge");
    const rows = await auditSince(since);
    expect(rows.map((row) => [row.action, row.actorUserId])).toEqual([
      ["sandbox.clock_advanced", guard.admin!.id],
      ["billing.phase_run", guard.admin!.id],
    ]);
    expect(rows[1]).toMatchObject({ targetType: "billing_run", targetId: ran.report!.runId });
  },
  "POST /api/admin/subscriptions/x/x": async () => {
    const { POST } = await import("@/app/api/admin/subscriptions/[id]/[action]/route");
    // Each action in turn; the last (unsign) ends the agreement.
    for (const action of ["refresh", "retry", "postpone", "unsign"] as const) {
      const agreement = await activeAgreement();
      const since = await lastAuditId();
      const response = await POST(
        post(
          `/api/admin/subscriptions/${agreement.id}/${action}`,
          action === "unsign" ? { confirm: "unsign" } : {},
        ),
        { params: Promise.resolve({ id: agreement.id, action }) },
      );
      expect(response.status, action).toBe(200);
      const rows = await auditSince(since);
      const row = rows.find((r) => r.action === `subscription.${action}`);
      expect(row, action).toMatchObject({
        actorKind: "user",
        actorUserId: guard.admin!.id,
        targetType: "agreement",
        targetId: agreement.id,
      });
      expect(row!.details, action).toMatchObject({
        before: { status: "active" },
        after: expect.objectContaining({ status: expect.any(String) }),
      });
    }
    // A refused action is audited too (who tried what, and why it was refused).
    const agreement = await activeAgreement();
    await db()
      .update(agreements)
      .set({ billingLeaseUntil: new Date((await bed.deps.now()).getTime() + 60_000) })
      .where(eq(agreements.id, agreement.id));
    const since = await lastAuditId();
    const response = await POST(post(`/x`, {}), {
      params: Promise.resolve({ id: agreement.id, action: "retry" }),
    });
    expect(await response.json()).toEqual({ status: "refused", reason: "billing_busy" });
    expect(
      await db()
        .select()
        .from(auditLog)
        .where(and(gt(auditLog.id, since), eq(auditLog.action, "subscription.retry"))),
    ).toHaveLength(1);
  },
  "POST /api/admin/notices/x/resend": async () => {
    const { POST } = await import("@/app/api/admin/notices/[id]/resend/route");
    const notice = await makeNotice(db(), { status: "dead", attempts: 8, lastError: "SMTP 550" });
    const since = await lastAuditId();
    const response = await POST(post("/x", { confirm: "resend", expectedStatus: "dead" }), {
      params: Promise.resolve({ id: notice.id }),
    });
    expect(response.status).toBe(200);
    const [row] = await auditSince(since);
    expect(row).toMatchObject({
      action: "notice.resend",
      actorUserId: guard.admin!.id,
      targetType: "notice",
      targetId: notice.id,
      details: {
        before: { status: "dead", attempts: 8, lastError: "SMTP 550" },
        after: { status: "pending", attempts: 0 },
      },
    });
  },
  "POST /api/admin/notices/settings": async () => {
    const { POST } = await import("@/app/api/admin/notices/settings/route");
    const since = await lastAuditId();
    const response = await POST(post("/x", { kind: "receipt", enabled: false }), undefined);
    expect(response.status).toBe(200);
    const [row] = await auditSince(since);
    expect(row).toMatchObject({
      action: "notice.switch",
      actorUserId: guard.admin!.id,
      targetType: "notice_kind",
      targetId: "receipt",
      details: { before: { enabled: true }, after: { enabled: false } },
    });
  },
};

describe("every admin action writes an audit row (acceptance 6)", () => {
  it("every mutating admin route and server action found on disk has a scenario here", () => {
    const found = adminActions();
    expect(found.length).toBeGreaterThan(0);
    expect(Object.keys(SCENARIOS).sort()).toEqual(found);
  });

  it.each(Object.keys(SCENARIOS))("%s", async (key) => {
    await SCENARIOS[key]!();
  });
});
