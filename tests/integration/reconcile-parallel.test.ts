import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { findInboxRow } from "@/db/queries/webhook-inbox";
import type { YouzanGateway } from "@/lib/payments/youzan";
import { reconcileOrders } from "@/lib/jobs/reconcile-orders";
import { recordDelivery } from "@/lib/webhooks/inbox";
import type { WebhookDeps } from "@/lib/webhooks/types";
import { withTestDatabase } from "../helpers/db";
import { storedTradePaidBody, unusedGateway, webhookDeps } from "../helpers/webhook-deps";
import { gate } from "../helpers/gate";

/*
 * Issue #7 item 11: reconcile runs claim the inbox rows they replay (a lease), so two runs in
 * parallel make the provider calls of one instead of each re-applying every open row.
 */

const t = withTestDatabase();
const NOW = new Date("2026-11-30T08:00:00Z");
const deps = (youzan: YouzanGateway): WebhookDeps =>
  webhookDeps(t.db(), NOW, { youzan, inboxMaxAttempts: 5 });

/** An open trade_TradePaid row whose apply re-reads trade `tid` from the provider. */
async function openRow(tid: string, receivedAt: Date) {
  const body = storedTradePaidBody(tid);
  const { row } = await recordDelivery(
    t.db(),
    {
      provider: "youzan",
      eventKey: randomUUID(),
      eventType: "trade_TradePaid",
      signatureValid: true,
      headers: {},
      body,
    },
    receivedAt,
  );
  return row;
}

describe("parallel reconcile runs", () => {
  it.each([
    ["each run's batch holds half of the rows: they split them", 3],
    ["each run's batch holds every row: the second finds nothing left", 6],
  ])("make the provider calls of one run (%s)", async (_label, batch) => {
    const tids = Array.from({ length: 6 }, (_, i) => `T-${i}`);
    const rows = [];
    for (const [i, tid] of tids.entries()) {
      rows.push(await openRow(tid, new Date(NOW.getTime() - (10 - i) * 1_000)));
    }
    const calls = new Map<string, number>();
    const firstCall = gate();
    let total = 0;
    const youzan: YouzanGateway = {
      ...unusedGateway,
      getTrade: async (tid) => {
        calls.set(tid, (calls.get(tid) ?? 0) + 1);
        // The first run's first provider call holds until the second run has done its work.
        if (total++ === 0) await firstCall.pass();
        return null; // not visible yet: the attempt fails and is recorded
      },
    };
    const d = deps(youzan);
    const first = reconcileOrders(d, { batch, elapsed: () => 0 });
    await firstCall.reached(1);
    const second = await reconcileOrders(d, { batch, elapsed: () => 0 });
    firstCall.open();
    const firstSummary = await first;

    expect(Object.fromEntries(calls)).toEqual(Object.fromEntries(tids.map((tid) => [tid, 1])));
    expect(firstSummary.inboxFailed + second.inboxFailed).toBe(6);
    expect(firstSummary.inboxFailed).toBe(Math.min(batch, 6));
    for (const row of rows) {
      // Every attempt was recorded once, and recording it ended the lease.
      expect(await findInboxRow(t.db(), row.id)).toMatchObject({
        status: "failed",
        attempts: 1,
        claimedUntil: null,
      });
    }
  });
});
