import { createHash, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { dashboardStats } from "@/db/queries/dashboard";
import {
  claimUnapplied,
  findInboxRow,
  listInbox,
  recordAttempt,
  releaseClaims,
} from "@/db/queries/webhook-inbox";
import { webhookInbox, type WebhookInboxRow } from "@/db/schema";
import { isYouzanError, YouzanError } from "@/lib/payments/youzan";
import { reconcileOrders } from "@/lib/jobs/reconcile-orders";
import { recordDelivery, recordRejected } from "@/lib/webhooks/inbox";
import { applyInboxRow, replayInbox } from "@/lib/webhooks/replay";
import type { InboxHandler, RecordAttemptIn, WebhookDeps } from "@/lib/webhooks/types";
import { handleYouzanPush } from "@/lib/webhooks/youzan";
import { youzanInboxHandler } from "@/lib/webhooks/youzan/handler";
import { withTestDatabase } from "../helpers/db";
import { storedTradePaidBody, unusedGateway, webhookDeps } from "../helpers/webhook-deps";

/*
 * The one replay path: how a recorded event's attempts end (processed, ignored, failed for a
 * later attempt, dead), for every provider's handler alike.
 */

const t = withTestDatabase();
const NOW = new Date("2026-11-30T08:00:00Z");

const gateway = unusedGateway;
const deps = (over: Partial<WebhookDeps> = {}) => webhookDeps(t.db(), NOW, over);

/** A handler whose apply does what the test says; decoding reads the body as the event. */
function handler(
  apply: (
    recordIn?: RecordAttemptIn,
  ) => Promise<{ status: "processed" | "ignored" | "failed"; outcome: string }>,
) {
  const h: InboxHandler<string> = {
    provider: "youzan",
    decode: (_deps, row) => row.body,
    apply: (_deps, _event, recordIn) => apply(recordIn),
    classify: (error) =>
      isYouzanError(error)
        ? { outcome: `provider_error:${error.code}`, retryable: error.retryable }
        : { outcome: "error", retryable: true },
  };
  return h;
}

async function recorded(body = "event", key = randomUUID()): Promise<WebhookInboxRow> {
  const { row } = await recordDelivery(
    t.db(),
    {
      provider: "youzan",
      eventKey: key,
      eventType: "test",
      signatureValid: true,
      headers: {},
      body,
    },
    NOW,
  );
  return row;
}

const reread = async (id: string) => (await findInboxRow(t.db(), id))!;

describe("applyInboxRow", () => {
  it("a processed event is finished with: status, outcome, one attempt, the shop's time", async () => {
    const row = await recorded();
    const result = await applyInboxRow(
      deps(),
      handler(async () => ({ status: "processed", outcome: "settled" })),
      row,
    );
    expect(result).toEqual({ status: "processed", outcome: "settled" });
    expect(await reread(row.id)).toMatchObject({
      status: "processed",
      outcome: "settled",
      attempts: 1,
      processedAt: NOW,
      lastError: null,
    });
  });

  it("a retryable failure stays open; the last allowed attempt makes it dead", async () => {
    const row = await recorded();
    const flaky = handler(async () => {
      throw new YouzanError("unavailable", "timeout", true);
    });
    expect((await applyInboxRow(deps(), flaky, row)).status).toBe("failed");
    expect((await applyInboxRow(deps(), flaky, await reread(row.id))).status).toBe("failed");
    const third = await applyInboxRow(deps(), flaky, await reread(row.id));
    expect(third).toEqual({ status: "dead", outcome: "provider_error:unavailable" });
    expect(await reread(row.id)).toMatchObject({
      status: "dead",
      attempts: 3,
      lastError: expect.stringContaining("timeout"),
      processedAt: NOW,
    });
  });

  it("a failure no attempt can cure is dead at once", async () => {
    const row = await recorded();
    const refused = handler(async () => {
      throw new YouzanError("auth", "the app was de-authorised", false);
    });
    expect(await applyInboxRow(deps(), refused, row)).toEqual({
      status: "dead",
      outcome: "provider_error:auth",
    });
  });

  it("a handler's own `failed` (not visible yet) is retried, and dead when attempts run out", async () => {
    const row = await recorded();
    const lagging = handler(async () => ({ status: "failed", outcome: "trade_not_visible_yet" }));
    const d = deps({ inboxMaxAttempts: 2 });
    expect((await applyInboxRow(d, lagging, row)).status).toBe("failed");
    expect(await applyInboxRow(d, lagging, await reread(row.id))).toEqual({
      status: "dead",
      outcome: "trade_not_visible_yet",
    });
  });

  it("an attempt recorded in the handler's transaction commits with it, once (issue #14)", async () => {
    const row = await recorded();
    const inOneTransaction = handler(async (recordIn) => {
      const result = { status: "processed" as const, outcome: "settled" };
      await t.db().transaction(async (tx) => {
        await recordIn!(tx, result);
        // Inside the transaction the record is there already, with the effect.
        const [inside] = await tx.select().from(webhookInbox).where(eq(webhookInbox.id, row.id));
        expect(inside?.status).toBe("processed");
      });
      return result;
    });
    expect(await applyInboxRow(deps(), inOneTransaction, row)).toEqual({
      status: "processed",
      outcome: "settled",
    });
    // Recorded once: not a second time after the handler returned.
    expect(await reread(row.id)).toMatchObject({
      status: "processed",
      outcome: "settled",
      attempts: 1,
      processedAt: NOW,
    });
  });

  it("an attempt applied at receipt is recorded with the receipt's time, reading no clock", async () => {
    const row = await recorded();
    const receivedAt = new Date(NOW.getTime() - 1_000);
    let clockReads = 0;
    const counting = deps({
      now: async () => {
        clockReads++;
        return NOW;
      },
    });
    await applyInboxRow(
      counting,
      handler(async () => ({ status: "ignored", outcome: "no_effect" })),
      row,
      "event",
      receivedAt,
    );
    expect(clockReads).toBe(0);
    expect(await reread(row.id)).toMatchObject({ status: "ignored", processedAt: receivedAt });
  });

  it("an attempt recorded in a transaction that rolls back is not kept: the row stays open", async () => {
    const row = await recorded();
    const rolledBack = handler(async (recordIn) => {
      await t.db().transaction(async (tx) => {
        await recordIn!(tx, { status: "processed", outcome: "settled" });
        throw new Error("the settlement's commit failed");
      });
      return { status: "processed", outcome: "settled" };
    });
    expect(await applyInboxRow(deps(), rolledBack, row)).toEqual({
      status: "failed",
      outcome: "error",
    });
    expect(await reread(row.id)).toMatchObject({
      status: "failed",
      attempts: 1,
      processedAt: null,
      lastError: expect.stringContaining("commit failed"),
    });
  });

  it("a stored Youzan delivery that cannot be read back is dead, not retried forever", async () => {
    const row = await recorded("this is not a push");
    expect(await applyInboxRow(deps(), youzanInboxHandler, row)).toEqual({
      status: "dead",
      outcome: "unreadable",
    });
  });
});

describe("replayInbox", () => {
  it("replays open rows oldest first, skips finished and dead ones, and counts each ending", async () => {
    const ok = await recorded();
    const failing = await recorded();
    const done = await recorded();
    await t
      .db()
      .update(webhookInbox)
      .set({ status: "processed" })
      .where(eq(webhookInbox.id, done.id));
    const dead = await recorded();
    await t
      .db()
      .update(webhookInbox)
      .set({ status: "dead", attempts: 3 })
      .where(eq(webhookInbox.id, dead.id));
    // The Youzan handler re-reads the trade; this gateway answers for one and fails the other.
    const body = storedTradePaidBody;
    await t
      .db()
      .update(webhookInbox)
      .set({ body: body("T-OK") })
      .where(eq(webhookInbox.id, ok.id));
    await t
      .db()
      .update(webhookInbox)
      .set({ body: body("T-FAIL") })
      .where(eq(webhookInbox.id, failing.id));
    const asked: string[] = [];
    const d = deps({
      youzan: {
        ...gateway,
        getTrade: async (tid) => {
          asked.push(tid);
          if (tid === "T-FAIL") throw new YouzanError("unavailable", "timeout", true);
          return null; // not visible yet: a handler-level failure
        },
      },
    });
    const summary = await replayInbox(d, { batch: 10, overBudget: () => false });
    expect(asked.sort()).toEqual(["T-FAIL", "T-OK"]);
    expect(summary).toEqual({ applied: 0, failed: 2, dead: 0, stoppedEarly: false });
    expect((await reread(done.id)).attempts).toBe(0);
    expect((await reread(dead.id)).attempts).toBe(3);
  });

  it("stops taking rows once over budget", async () => {
    await recorded();
    const summary = await replayInbox(deps(), { batch: 10, overBudget: () => true });
    expect(summary).toEqual({ applied: 0, failed: 0, dead: 0, stoppedEarly: true });
  });

  it("dead and failed rows are counted on the admin overview", async () => {
    const a = await recorded();
    const b = await recorded();
    await t.db().update(webhookInbox).set({ status: "dead" }).where(eq(webhookInbox.id, a.id));
    await t.db().update(webhookInbox).set({ status: "failed" }).where(eq(webhookInbox.id, b.id));
    expect(await dashboardStats(t.db())).toMatchObject({ inboxDead: 1, inboxFailed: 1 });
  });
});

describe("claiming open rows (issue #7 item 11)", () => {
  it("a claim leases rows until recorded or released; a lease that ran out is claimed again", async () => {
    const a = await recorded();
    const b = await recorded();
    const options = { limit: 10, maxAttempts: 3, now: NOW, leaseMs: 60_000 };
    const claimed = await claimUnapplied(t.db(), "youzan", options);
    expect(claimed.map((r) => r.id).sort()).toEqual([a.id, b.id].sort());
    expect(claimed[0]!.claimedUntil).toEqual(new Date(NOW.getTime() + 60_000));
    // Leased: nobody else gets them.
    expect(await claimUnapplied(t.db(), "youzan", options)).toEqual([]);
    // Recording an attempt ends the lease (a failed row is open again at once); releasing too.
    await recordAttempt(t.db(), a.id, { status: "failed", outcome: "x", error: null, at: NOW });
    await releaseClaims(t.db(), [b.id]);
    const again = await claimUnapplied(t.db(), "youzan", options);
    expect(again.map((r) => r.id).sort()).toEqual([a.id, b.id].sort());
    // A run that died holds its rows only until the lease runs out.
    const later = { ...options, now: new Date(NOW.getTime() + 60_001) };
    expect((await claimUnapplied(t.db(), "youzan", later)).length).toBe(2);
  });

  it("a run stopped by its budget gives back the rows it did not reach", async () => {
    const row = await recorded();
    const summary = await replayInbox(deps(), { batch: 10, overBudget: () => true });
    expect(summary.stoppedEarly).toBe(true);
    expect((await reread(row.id)).claimedUntil).toBeNull();
  });
});

describe("inbox caps and retention (issue #7 item 1)", () => {
  it("caps every stored text of a row; a long event key becomes its hash", async () => {
    const longKey = "k".repeat(5_000);
    const { row } = await recordDelivery(
      t.db(),
      {
        provider: "youzan",
        eventKey: longKey,
        eventType: "t".repeat(10_000),
        signatureValid: true,
        headers: { "user-agent": "u".repeat(10_000) },
        body: "whole body",
      },
      NOW,
    );
    expect(row.eventType!.length).toBe(100);
    expect(row.eventKey).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((row.headers as Record<string, string>)["user-agent"]!.length).toBe(256);
    expect(row).toMatchObject({ body: "whole body", bodyBytes: 10 });
    // The same long key is the same event: a redelivery.
    const again = await recordDelivery(
      t.db(),
      {
        provider: "youzan",
        eventKey: longKey,
        eventType: "x",
        signatureValid: true,
        headers: {},
        body: "x",
      },
      NOW,
    );
    expect(again).toMatchObject({ isNew: false, row: { id: row.id } });
    await recordAttempt(t.db(), row.id, {
      status: "failed",
      outcome: "o".repeat(10_000),
      error: "e".repeat(10_000),
      at: NOW,
    });
    const failed = await reread(row.id);
    expect(failed.outcome!.length).toBe(200);
    expect(failed.lastError!.length).toBe(2_000);
  });

  it("a rejected delivery keeps its size, hash and first KiB only", async () => {
    const body = "é".repeat(100_000); // 200,000 bytes
    const row = await recordRejected(
      t.db(),
      {
        provider: "youzan",
        eventType: "y".repeat(1_000),
        signatureValid: false,
        headers: {},
        body,
        clientAddress: "203.0.113.1",
      },
      "bad_signature",
      NOW,
    );
    expect(row).toMatchObject({
      status: "rejected",
      bodyBytes: 200_000,
      bodySha256: createHash("sha256").update(body).digest("hex"),
      clientAddress: "203.0.113.1",
      body: "é".repeat(512),
    });
    expect(row!.eventType!.length).toBe(100);
  });

  it("the reconcile job prunes rejected rows older than 30 days, in bounded batches", async () => {
    const reject = (at: Date) =>
      recordRejected(
        t.db(),
        {
          provider: "youzan",
          eventType: null,
          signatureValid: false,
          headers: {},
          body: "{",
          clientAddress: randomUUID(),
        },
        "malformed",
        at,
      );
    const old = await reject(new Date(NOW.getTime() - 31 * 86_400_000));
    const recent = await reject(new Date(NOW.getTime() - 29 * 86_400_000));
    const kept = await recorded(); // verified rows are never pruned
    await t
      .db()
      .update(webhookInbox)
      .set({ receivedAt: new Date(NOW.getTime() - 60 * 86_400_000), status: "processed" })
      .where(eq(webhookInbox.id, kept.id));
    const summary = await reconcileOrders(deps(), { elapsed: () => 0 });
    expect(summary.inboxPruned).toBe(1);
    expect(await findInboxRow(t.db(), old!.id)).toBeUndefined();
    expect(await findInboxRow(t.db(), recent!.id)).toBeDefined();
    expect(await findInboxRow(t.db(), kept.id)).toBeDefined();
  });

  it("lists the inbox 50 rows a page, newest first, without bodies", async () => {
    for (let i = 0; i < 51; i++) await recorded(`body-${i}`);
    const first = await listInbox(t.db(), {});
    expect(first.rows).toHaveLength(50);
    expect(first.hasMore).toBe(true);
    expect(first.rows[0]).not.toHaveProperty("body");
    const second = await listInbox(t.db(), { page: 2 });
    expect(second).toMatchObject({ hasMore: false });
    expect(second.rows).toHaveLength(1);
    expect(await listInbox(t.db(), { status: "rejected" })).toEqual({ rows: [], hasMore: false });
  });
});

describe("verified pushes the shop cannot read (issue #7 item 8)", () => {
  const md5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex");
  const signed = (raw: string) =>
    new Headers({ "content-type": "application/json", "event-sign": md5(`app${raw}secret`) });

  it.each([
    ["msg is not JSON", JSON.stringify({ type: "trade_TradePaid", msg: "not+json", msg_id: "m1" })],
    ["no type", JSON.stringify({ id: "E1", msg: "%7B%7D", msg_id: "m2" })],
    ["a body that is not JSON", "{not json"],
  ])("%s: acknowledged, recorded as ignored with a valid signature", async (_label, raw) => {
    const reply = await handleYouzanPush(deps(), raw, signed(raw));
    expect(reply).toEqual({ status: 200, body: { code: 0, msg: "success" } });
    const rows = await t.db().select().from(webhookInbox);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      status: "ignored",
      signatureValid: true,
      outcome: expect.stringMatching(/^unreadable: /),
      body: raw,
      attempts: 1,
    });
    // Youzan's retry of it is a redelivery, not a second row.
    expect((await handleYouzanPush(deps(), raw, signed(raw))).status).toBe(200);
    expect(await t.db().select().from(webhookInbox)).toMatchObject([{ deliveries: 2 }]);
  });

  it("unsigned or badly signed, the same bodies are still refused (400)", async () => {
    const raw = JSON.stringify({ type: "trade_TradePaid", msg: "not+json", msg_id: "m1" });
    expect((await handleYouzanPush(deps(), raw, new Headers())).status).toBe(400);
    const forged = new Headers({ "event-sign": md5("forged") });
    expect((await handleYouzanPush(deps(), raw, forged)).status).toBe(400);
    expect(await t.db().select().from(webhookInbox)).toMatchObject([
      { status: "rejected", signatureValid: false },
      { status: "rejected", signatureValid: false },
    ]);
  });
});
