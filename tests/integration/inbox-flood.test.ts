import { createHash } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rowsOf } from "@/db/rows";
import { webhookInbox } from "@/db/schema";
import {
  recordRejected,
  REJECTED_BODY_BYTES,
  REJECTED_PER_CLIENT_PER_MINUTE,
} from "@/lib/webhooks/inbox";
import { handleYouzanPush } from "@/lib/webhooks/youzan";
import { withTestDatabase } from "../helpers/db";
import { withPurchaseTestbed } from "../helpers/purchase-testbed";

/*
 * Issue #7 item 1: forged pushes cannot fill the database. A rejected delivery keeps its size,
 * hash, headers and first KiB; past a per-client limit a minute nothing is stored at all; and a
 * verified push right after the flood is still applied.
 */

const t = withTestDatabase();
const p = withPurchaseTestbed(t);

const KIB = 1024;

async function inboxBytes(): Promise<number> {
  const rows = await t
    .db()
    .execute<{ bytes: string | number | null }>(
      sql`select sum(pg_column_size(t.*)) as bytes from webhook_inbox t`,
    );
  return Number(rowsOf<{ bytes: string | number | null }>(rows)[0]?.bytes ?? 0);
}

/**
 * A 200 KiB forged push with a wrong Event-Sign: half carry a 200 KiB `msg` (not decodable:
 * malformed), half a 200 KiB `type` (readable: bad signature).
 */
function forgedBody(hugeType: boolean): string {
  const body = (filler: string) =>
    JSON.stringify({
      client_id: p.bed.deps.youzanCredentials.clientId,
      id: "E20261122000000123456789",
      kdt_id: 10001000,
      type: hugeType ? filler : "trade_TradePaid",
      status: "TRADE_PAID",
      msg: hugeType ? "%7B%7D" : filler,
      msg_id: "forged",
      version: 1,
    });
  // Exactly 200 KiB, so the acceptance figure is the one measured.
  return body("A".repeat(200 * KIB - body("").length));
}

const forgedHeaders = () =>
  new Headers({ "content-type": "application/json", "event-sign": "f".repeat(32) });

describe("a flood of forged pushes", () => {
  it("1,000 forged pushes of 200 KiB grow the inbox by < 5 MB; a verified push is still applied", async () => {
    const before = await inboxBytes();
    const bodies = [forgedBody(false), forgedBody(true)];
    const statuses = new Set<number>();
    for (let i = 0; i < 1_000; i++) {
      const reply = await handleYouzanPush(p.bed.deps, bodies[i % 2]!, forgedHeaders());
      statuses.add(reply.status);
      // The virtual clock moves 50 ms a push: the flood spans ~50 s, inside one limit window.
      p.bed.clock.advance(0.05);
    }
    // Refused as before: a readable forgery 401, one whose msg does not decode 400.
    expect([...statuses].sort()).toEqual([400, 401]);
    const grown = (await inboxBytes()) - before;
    expect(grown).toBeLessThan(5 * 1024 * 1024);

    const rejected = await t
      .db()
      .select()
      .from(webhookInbox)
      .where(eq(webhookInbox.status, "rejected"));
    // One client (the default setting trusts no proxy: every sender is "unknown").
    expect(rejected.length).toBe(REJECTED_PER_CLIENT_PER_MINUTE);
    for (const row of rejected) {
      expect(row.body.length).toBeLessThanOrEqual(REJECTED_BODY_BYTES);
      expect(row.bodyBytes).toBe(200 * KIB);
      expect(row.bodySha256).toMatch(/^[0-9a-f]{64}$/);
      expect((row.eventType ?? "").length).toBeLessThanOrEqual(100);
      expect(["bad_signature", "malformed: msg is not URL-encoded JSON"]).toContain(row.outcome);
    }
    const hashes = new Set(bodies.map((b) => createHash("sha256").update(b).digest("hex")));
    expect(rejected.every((row) => hashes.has(row.bodySha256!))).toBe(true);

    // A real payment's push, right after the flood, is recorded and applied.
    const o = await p.order();
    await p.bed.sandbox.pay({ qrId: o.qrId! });
    await p.deliverAll();
    await p.bed.settle();
    expect((await p.reload(o.id)).status).toBe("paid");
    const verified = await t
      .db()
      .select()
      .from(webhookInbox)
      .where(eq(webhookInbox.signatureValid, true));
    expect(verified.length).toBeGreaterThan(0);
    expect(verified.every((row) => row.status === "processed" || row.status === "ignored")).toBe(
      true,
    );
    expect(verified.some((row) => row.status === "processed")).toBe(true);
    // 1,000 parses of 200 KiB: ~10 s alone, more beside other test files on a busy machine.
  }, 120_000);

  it("the limit is per client address and per minute", async () => {
    const at = p.bed.clock.current();
    const delivery = (clientAddress: string) => ({
      provider: "youzan" as const,
      eventType: "trade_TradePaid",
      signatureValid: false,
      headers: {},
      body: "{}",
      clientAddress,
    });
    for (let i = 0; i < REJECTED_PER_CLIENT_PER_MINUTE; i++) {
      expect(await recordRejected(t.db(), delivery("203.0.113.7"), "bad_signature", at)).not.toBe(
        null,
      );
    }
    expect(await recordRejected(t.db(), delivery("203.0.113.7"), "bad_signature", at)).toBe(null);
    // Another client is not affected…
    expect(await recordRejected(t.db(), delivery("198.51.100.9"), "bad_signature", at)).not.toBe(
      null,
    );
    // …and a minute later the first one is recorded again.
    const later = new Date(at.getTime() + 61_000);
    expect(await recordRejected(t.db(), delivery("203.0.113.7"), "bad_signature", later)).not.toBe(
      null,
    );
  });
});
