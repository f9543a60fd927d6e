import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { findInboxRow } from "@/db/queries/webhook-inbox";
import { auditLog, billingRuns, orders, webhookInbox } from "@/db/schema";
import { inboxDetail, inboxPage, inboxQuery } from "@/lib/admin/inbox";
import { reprocessInboxRow } from "@/lib/admin/inbox-reprocess";
import { REDACTED } from "@/lib/admin/redact";
import { isAppError } from "@/lib/errors";
import { reconcileOrders } from "@/lib/jobs/reconcile-orders";
import { newId } from "@/lib/ids";
import { withTestDatabase } from "../helpers/db";
import { makeOrder, makeUser } from "../helpers/factories";
import { storedTradePaidBody, unusedGateway, webhookDeps } from "../helpers/webhook-deps";

/*
 * The admin's webhook inbox (issue #11, "Webhook inbox"): the list's filters and keyset pages,
 * the redacted detail, "process again" through the replay path (audited), and the reconcile
 * job's pruning of rejected rows after 30 days.
 */

const t = withTestDatabase();
const NOW = new Date("2026-12-01T08:00:00Z");
const DAY = 86_400_000;

type Status = "received" | "processed" | "failed" | "ignored" | "rejected" | "dead";

async function row(values: {
  provider?: "youzan" | "alipay";
  eventType?: string | null;
  status?: Status;
  receivedAt?: Date;
  body?: string;
  outcome?: string | null;
  signatureValid?: boolean;
  attempts?: number;
}) {
  const id = newId("evt");
  const status = values.status ?? "processed";
  await t
    .db()
    .insert(webhookInbox)
    .values({
      id,
      provider: values.provider ?? "youzan",
      eventKey: status === "rejected" ? null : randomUUID(),
      eventType: values.eventType ?? "trade_TradePaid",
      signatureValid: values.signatureValid ?? status !== "rejected",
      body: values.body ?? "{}",
      status,
      outcome: values.outcome ?? null,
      attempts: values.attempts ?? 0,
      receivedAt: values.receivedAt ?? NOW,
    });
  return id;
}

const query = (over: Record<string, string>) => inboxQuery.parse(over);

describe("the inbox list", () => {
  it("filters by provider, status and event kind (Alipay's stored as <endpoint>:<type>)", async () => {
    const youzanPaid = await row({ eventType: "trade_TradePaid", status: "processed" });
    const youzanDead = await row({ eventType: "trade_TradeCreate", status: "dead" });
    const alipaySign = await row({ provider: "alipay", eventType: "agreement:dut_user_sign" });
    const alipayTrade = await row({
      provider: "alipay",
      eventType: "trade:trade_status_sync",
      status: "failed",
    });
    const ids = async (over: Record<string, string>) =>
      (await inboxPage(t.db(), query(over))).items.map((item) => item.id).sort();
    expect(await ids({ provider: "alipay" })).toEqual([alipaySign, alipayTrade].sort());
    expect(await ids({ status: "dead" })).toEqual([youzanDead]);
    expect(await ids({ kind: "dut_user_sign" })).toEqual([alipaySign]);
    expect(await ids({ kind: "trade_TradePaid" })).toEqual([youzanPaid]);
    expect(await ids({ provider: "youzan", status: "failed" })).toEqual([]);
    // LIKE's wildcard `_` in a kind is literal (it would match the "n" of dut_user_sign).
    expect(await ids({ kind: "dut_user_sig_" })).toEqual([]);
    expect(inboxQuery.safeParse({ kind: "a b" }).success).toBe(false);
    expect(inboxQuery.safeParse({ status: "bogus" }).success).toBe(false);
  });

  it("pages newest first by keyset, exact to the microsecond, every row once", async () => {
    // Three rows in one millisecond (microseconds apart), and two more an hour earlier.
    const base = "2026-12-01 08:00:00.123";
    const inserted: string[] = [];
    for (const micro of ["100", "200", "300"]) {
      const id = await row({});
      await t
        .db()
        .execute(
          sql`update ${webhookInbox} set received_at = ${`${base}${micro}+00`}::timestamptz where id = ${id}`,
        );
      inserted.push(id);
    }
    inserted.push(await row({ receivedAt: new Date(NOW.getTime() - 3_600_000) }));
    inserted.push(await row({ receivedAt: new Date(NOW.getTime() - 3_600_000) }));
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const result = await inboxPage(t.db(), query({ limit: "2", ...(cursor ? { cursor } : {}) }));
      seen.push(...result.items.map((item) => item.id));
      if (!result.nextCursor) break;
      cursor = result.nextCursor;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen)).toEqual(new Set(inserted));
    // Newest first: the microsecond rows in descending order of time.
    expect(seen.slice(0, 3)).toEqual([inserted[2], inserted[1], inserted[0]]);
  });

  it("refuses a forged cursor with a 400", async () => {
    const forged = Buffer.from(JSON.stringify(["yesterday", 1])).toString("base64url");
    const error = await inboxPage(t.db(), query({ cursor: forged })).catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe("bad_request");
  });
});

describe("one delivery", () => {
  it("shows the payload with signatures, tokens and phone numbers redacted", async () => {
    const body = JSON.stringify({
      type: "trade_TradePaid",
      sign: "abcdef0123456789",
      client_secret: "shh",
      msg: encodeURIComponent(JSON.stringify({ tid: "T1", buyer_phone: "13812345678" })),
    });
    const id = await row({ body, status: "failed", outcome: "trade_not_visible_yet" });
    await t
      .db()
      .update(webhookInbox)
      .set({ headers: { "event-sign": "deadbeef", "content-type": "application/json" } })
      .where(eq(webhookInbox.id, id));
    const detail = await inboxDetail(t.db(), id);
    expect(detail).toMatchObject({
      id,
      status: "failed",
      canReprocess: true,
      headers: { "event-sign": REDACTED, "content-type": "application/json" },
      payload: {
        format: "json",
        value: {
          type: "trade_TradePaid",
          sign: REDACTED,
          client_secret: REDACTED,
          msg: { tid: "T1", buyer_phone: "*******5678" },
        },
        redacted: 3,
      },
    });
    expect(JSON.stringify(detail)).not.toMatch(/abcdef0123456789|shh|deadbeef|13812345678/);
    expect(await inboxDetail(t.db(), "evt_nope")).toBeNull();
  });
});

describe("process again", () => {
  it("re-applies a dead delivery through the replay path, settles once, and audits it", async () => {
    const db = t.db();
    const admin = await makeUser(db, { role: "admin" });
    const order = await makeOrder(db, { qrId: "QR-1", amountFen: 990 });
    const id = await row({
      body: storedTradePaidBody("T-1"),
      status: "dead",
      outcome: "provider_error:unavailable",
      attempts: 3,
    });
    const deps = webhookDeps(db, NOW, {
      youzan: {
        ...unusedGateway,
        getTrade: async (tid) => ({
          tid,
          qrId: "QR-1",
          status: "TRADE_SUCCESS",
          paymentFen: 990,
          paidAt: NOW,
        }),
      },
    });
    const result = await reprocessInboxRow(deps, admin.id, id);
    expect(result).toEqual({
      ok: true,
      before: { status: "dead", outcome: "provider_error:unavailable", attempts: 3 },
      after: { status: "processed", outcome: "settled", attempts: 4 },
    });
    const [paid] = await db.select().from(orders).where(eq(orders.id, order.id));
    expect(paid?.status).toBe("paid");
    expect(await findInboxRow(db, id)).toMatchObject({ status: "processed", claimedUntil: null });
    const audits = await db.select().from(auditLog).where(eq(auditLog.action, "webhook.reprocess"));
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      actorKind: "user",
      actorUserId: admin.id,
      targetType: "webhook_inbox",
      targetId: id,
      details: {
        provider: "youzan",
        eventType: "trade_TradePaid",
        before: { status: "dead", outcome: "provider_error:unavailable", attempts: 3 },
        after: { status: "processed", outcome: "settled", attempts: 4 },
      },
    });
    // Processed now: not again, and nothing more is audited.
    expect(await reprocessInboxRow(deps, admin.id, id)).toEqual({
      ok: false,
      reason: "not_reprocessable",
    });
    expect(
      await db.select().from(auditLog).where(eq(auditLog.action, "webhook.reprocess")),
    ).toHaveLength(1);
  });

  it("refuses rows that are missing, finished, rejected, or leased by a reconcile run", async () => {
    const db = t.db();
    const admin = await makeUser(db, { role: "admin" });
    const deps = webhookDeps(db, NOW);
    expect(await reprocessInboxRow(deps, admin.id, "evt_missing")).toEqual({
      ok: false,
      reason: "not_found",
    });
    const ignored = await row({ status: "ignored" });
    expect((await reprocessInboxRow(deps, admin.id, ignored)).ok).toBe(false);
    const rejected = await row({ status: "rejected" });
    expect(await reprocessInboxRow(deps, admin.id, rejected)).toEqual({
      ok: false,
      reason: "not_reprocessable",
    });
    const leased = await row({ status: "failed" });
    await db
      .update(webhookInbox)
      .set({ claimedUntil: new Date(NOW.getTime() + 60_000) })
      .where(eq(webhookInbox.id, leased));
    expect(await reprocessInboxRow(deps, admin.id, leased)).toEqual({ ok: false, reason: "busy" });
    expect(await db.select().from(auditLog)).toHaveLength(0);
  });
});

describe("pruning rejected deliveries", () => {
  it("the reconcile job deletes rejected rows older than 30 days, keeps the rest, and counts them", async () => {
    const db = t.db();
    const old = await row({ status: "rejected", receivedAt: new Date(NOW.getTime() - 31 * DAY) });
    const young = await row({
      status: "rejected",
      receivedAt: new Date(NOW.getTime() - 29 * DAY),
    });
    const others: string[] = [];
    for (const status of ["received", "processed", "failed", "ignored", "dead"] as const) {
      // Open rows out of attempts (3 here), so the run's replay leaves them alone.
      others.push(
        await row({ status, attempts: 3, receivedAt: new Date(NOW.getTime() - 90 * DAY) }),
      );
    }
    const summary = await reconcileOrders(webhookDeps(db, NOW), { elapsed: () => 0 });
    expect(summary.inboxPruned).toBe(1);
    expect(await findInboxRow(db, old)).toBeUndefined();
    expect(await findInboxRow(db, young)).toBeDefined();
    for (const id of others) expect(await findInboxRow(db, id)).toBeDefined();
    // The run's receipt says so.
    const [receipt] = await db.select().from(billingRuns).where(eq(billingRuns.id, summary.runId));
    expect(receipt).toMatchObject({ job: "orders.reconcile", status: "completed" });
    expect(receipt?.summary).toMatchObject({ inboxPruned: 1 });
  });
});
