import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import { describe, expect, it, vi } from "vitest";
import { auditLog, webhookInbox } from "@/db/schema";
import { reprocessWebhookAction } from "@/lib/admin/inbox-actions";
import { getCurrentUser, type CurrentUser } from "@/lib/auth/guards";
import { newId } from "@/lib/ids";
import { getRuntime } from "@/lib/runtime";
import { withTestDatabase } from "../helpers/db";
import { makeUser } from "../helpers/factories";
import { storedTradePaidBody, unusedGateway, webhookDeps } from "../helpers/webhook-deps";

/*
 * "Process again" as /admin/webhooks/[id] calls it: the server action checks the role itself
 * (the session is the test's), then goes through the audited replay (tests/integration/
 * admin-inbox.test.ts has the replay itself).
 */
vi.mock("@/lib/auth/guards", () => ({ getCurrentUser: vi.fn() }));
vi.mock("@/lib/runtime", () => ({ getRuntime: vi.fn(), kickNotices: vi.fn() }));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));

const t = withTestDatabase();
const NOW = new Date("2026-12-01T08:00:00Z");

const signedInAs = (user: CurrentUser | null) =>
  vi.mocked(getCurrentUser).mockImplementation(async () => user);

function form(id: string): FormData {
  const data = new FormData();
  data.append("id", id);
  return data;
}

async function deadRow(): Promise<string> {
  const id = newId("evt");
  await t
    .db()
    .insert(webhookInbox)
    .values({
      id,
      provider: "youzan",
      eventKey: randomUUID(),
      eventType: "trade_TradePaid",
      signatureValid: true,
      body: storedTradePaidBody("T-9"),
      status: "dead",
      outcome: "provider_error:unavailable",
      attempts: 3,
      receivedAt: NOW,
    });
  return id;
}

describe("reprocessWebhookAction", () => {
  it("refuses strangers and buyers before touching anything", async () => {
    const id = await deadRow();
    signedInAs(null);
    expect(await reprocessWebhookAction({}, form(id))).toEqual({ error: "unauthorized" });
    signedInAs({ id: "usr_b", email: "b@example.com", name: null, role: "buyer" });
    expect(await reprocessWebhookAction({}, form(id))).toEqual({ error: "forbidden" });
    expect(vi.mocked(getRuntime)).not.toHaveBeenCalled();
    const [row] = await t.db().select().from(webhookInbox).where(eq(webhookInbox.id, id));
    expect(row).toMatchObject({ status: "dead", attempts: 3 });
    expect(await t.db().select().from(auditLog)).toHaveLength(0);
  });

  it("lets the admin process a dead row again: status before and after, audited", async () => {
    const admin = await makeUser(t.db(), { role: "admin" });
    signedInAs({ id: admin.id, email: admin.email, name: null, role: "admin" });
    // The trade is still not visible at Youzan: the attempt fails again, retryably.
    vi.mocked(getRuntime).mockResolvedValue({
      ...webhookDeps(t.db(), NOW, { youzan: { ...unusedGateway, getTrade: async () => null } }),
      clock: { now: async () => NOW },
    });
    const id = await deadRow();
    const state = await reprocessWebhookAction({}, form(id));
    // The 4th attempt with 3 allowed: still dead, with the new outcome.
    expect(state).toEqual({ before: "dead", after: "dead", outcome: "trade_not_visible_yet" });
    expect(vi.mocked(revalidatePath)).toHaveBeenCalledWith(`/admin/webhooks/${id}`);
    const [audit] = await t.db().select().from(auditLog);
    expect(audit).toMatchObject({
      action: "webhook.reprocess",
      actorUserId: admin.id,
      targetId: id,
      details: {
        before: { status: "dead", attempts: 3 },
        after: { status: "dead", outcome: "trade_not_visible_yet", attempts: 4 },
      },
    });
    expect(await reprocessWebhookAction({}, form(""))).toEqual({ error: "not_found" });
    expect(await reprocessWebhookAction({}, form("evt_missing"))).toEqual({ error: "not_found" });
  });
});
