import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { dashboardStats } from "@/db/queries/dashboard";
import { findInboxRow } from "@/db/queries/webhook-inbox";
import { webhookInbox, type WebhookInboxRow } from "@/db/schema";
import { isYouzanError, YouzanError, type YouzanGateway } from "@/lib/payments/youzan";
import { recordDelivery } from "@/lib/webhooks/inbox";
import { applyInboxRow, replayInbox } from "@/lib/webhooks/replay";
import type { InboxHandler, WebhookDeps } from "@/lib/webhooks/types";
import { youzanInboxHandler } from "@/lib/webhooks/youzan/handler";
import { withTestDatabase } from "../helpers/db";

/*
 * The one replay path: how a recorded event's attempts end (processed, ignored, failed for a
 * later attempt, dead), for every provider's handler alike.
 */

const t = withTestDatabase();
const NOW = new Date("2026-11-30T08:00:00Z");

const unreachable = (): never => {
  throw new Error("the gateway is not used in this test");
};
const gateway: YouzanGateway = {
  createDynamicQr: unreachable,
  listReceivedTrades: unreachable,
  getTrade: unreachable,
};

function deps(over: Partial<WebhookDeps> = {}): WebhookDeps {
  return {
    db: t.db(),
    youzan: gateway,
    now: async () => NOW,
    orderTtlMinutes: 15,
    statusCheckIntervalMs: 3_000,
    sleep: async () => {},
    youzanCredentials: { clientId: "app", clientSecret: "secret", kdtId: "1" },
    applyBudgetMs: 3_000,
    inboxMaxAttempts: 3,
    background: () => {},
    ...over,
  };
}

/** A handler whose apply does what the test says; decoding reads the body as the event. */
function handler(
  apply: () => Promise<{ status: "processed" | "ignored" | "failed"; outcome: string }>,
) {
  const h: InboxHandler<string> = {
    provider: "youzan",
    decode: (_deps, row) => row.body,
    apply,
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
    const body = (tid: string) =>
      JSON.stringify({
        msg_id: randomUUID(),
        type: "trade_TradePaid",
        kdt_id: 1,
        id: tid,
        msg: encodeURIComponent(JSON.stringify({ tid })),
        client_id: "app",
        sign: "x",
        version: 1,
      });
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
