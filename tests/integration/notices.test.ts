import { and, asc, eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { notices, users } from "@/db/schema";
import { advanceClock } from "@/lib/clock";
import { DEFAULT_POLICY } from "@/lib/billing/schedule";
import { reconcileOrders } from "@/lib/jobs/reconcile-orders";
import { paymentsGauge } from "@/lib/jobs/payments-first";
import { checkYouzanOrder } from "@/lib/orders/check-status";
import { recordManualRefund } from "@/lib/refunds/manual";
import { setNoticeSwitch, unsubscribe } from "@/db/queries/notice-settings";
import {
  MAX_SEND_ATTEMPTS,
  RETRY_DELAYS_MS,
  sendDueNotices,
  type NoticeDeps,
} from "@/lib/notices/send";
import { holdTransport, smtpTransport, type MailTransport } from "@/lib/notices/transport";
import { rowsOf } from "@/db/rows";
import { runNoticesJob } from "@/lib/jobs/send-notices";
import { enqueueBuyerAndOwnerNotices } from "@/lib/notices/enqueue";
import { appPaths } from "../helpers/app-paths";
import { makeUser } from "../helpers/factories";
import { withTestDatabase } from "../helpers/db";
import { withPurchaseTestbed } from "../helpers/purchase-testbed";
import { startSmtpServer, type TestSmtpServer } from "../helpers/smtp-server";
import { statementsOf } from "../helpers/statements";

/*
 * Issue #13, acceptance 1 and 3: the outbox against a real SMTP server (smtp-server on a loopback
 * port, every message parsed as a mail client would). A purchase settled three times over (the
 * buyer's poll, Youzan's push, the reconcile job, at once) gives one receipt; SMTP down or
 * refusing for a while delays notices without losing or doubling any.
 */
const t = withTestDatabase();
const p = withPurchaseTestbed(t);
const APP_URL = "http://shop.test";
const OWNER = "owner@shop.test";
let smtp: TestSmtpServer;

beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(async () => smtp.close());
beforeEach(async () => {
  smtp.received.length = 0;
  smtp.refuse(null);
  await smtp.start().catch(() => {});
});

function deps(): NoticeDeps {
  return {
    db: t.db(),
    now: () => p.bed.deps.now(),
    appUrl: APP_URL,
    authSecret: "n".repeat(32),
    policy: DEFAULT_POLICY,
    transport: smtpTransport({ url: smtp.url, from: "小铺 <noreply@shop.test>" }),
    dingTalk: null,
    ownerEmail: OWNER,
  };
}

async function buyerEmail(): Promise<string> {
  const [row] = await t.db().select().from(users).where(eq(users.id, p.buyerId));
  return row!.email;
}

const header = (mail: { headers: Map<string, unknown> }, name: string) =>
  String(mail.headers.get(name) ?? "");

/** A paid e-book order whose payment every path settles at the same time. */
async function paidOrder(slug?: string) {
  const o = await p.order(slug);
  await p.bed.sandbox.pay({ qrId: o.qrId! });
  const pending = await p.reload(o.id);
  await Promise.all([
    checkYouzanOrder(p.bed.deps, pending),
    p.deliverAll(),
    reconcileOrders(p.bed.deps),
  ]);
  // And once more each, after the fact: a late push, a later poll, the next cron run.
  await checkYouzanOrder(p.bed.deps, pending);
  await reconcileOrders(p.bed.deps);
  expect((await p.reload(o.id)).status).toBe("paid");
  return o;
}

describe("receipts through a real SMTP server", () => {
  it("a purchase settled by poll, push and reconcile gives exactly one receipt, with a working library link", async () => {
    const o = await paidOrder();
    const rows = await t.db().select().from(notices).orderBy(asc(notices.kind));
    expect(rows.map((n) => [n.kind, n.recipient, n.eventKey])).toEqual([
      ["owner_new_order", "owner", `order:${o.id}`],
      ["receipt", await buyerEmail(), `order:${o.id}`],
    ]);

    // Two senders at once (a cron run and a request's kick): each notice goes out once.
    const [a, b] = await Promise.all([sendDueNotices(deps()), sendDueNotices(deps())]);
    expect(a.sent + b.sent).toBe(2);
    expect(await sendDueNotices(deps())).toMatchObject({ sent: 0, failed: 0 });

    const receipts = smtp.to(await buyerEmail());
    expect(receipts).toHaveLength(1);
    const receipt = receipts[0]!;
    expect(header(receipt, "x-xiaopu-notice")).toBe("receipt");
    expect(receipt.subject).toContain(o.orderNo);
    expect(receipt.from).toContain("noreply@shop.test");
    // Both parts, the library link in each, and it is a page the shop serves.
    const library = `${APP_URL}/account/library`;
    expect(receipt.text).toContain(library);
    expect(receipt.html).toContain(`href="${library}"`);
    expect(receipt.text).toContain("¥");
    expect(appPaths().some((route) => route.page && route.path === "/account/library")).toBe(true);
    // No unsubscribe from receipts.
    expect(receipt.header("list-unsubscribe")).toBe("");

    const owner = smtp.to(OWNER);
    expect(owner).toHaveLength(1);
    expect(header(owner[0]!, "x-xiaopu-notice")).toBe("owner_new_order");
    expect(owner[0]!.text).toContain(o.orderNo);

    const sent = await t.db().select().from(notices).where(eq(notices.kind, "receipt"));
    expect(sent[0]).toMatchObject({ status: "sent", attempts: 0, lastError: null });
    expect(sent[0]!.messageId).toBe(receipt.messageId);
    expect(sent[0]!.subject).toBe(receipt.subject);
  });

  it("a batch reads its orders' facts in one query, not one per notice", async () => {
    for (const slug of ["side-hustle-handbook", "writing-that-sells", "notion-for-creators"]) {
      await paidOrder(slug);
    }
    const { result, statements } = await statementsOf(t.db(), () => sendDueNotices(deps()));
    expect(result).toMatchObject({ sent: 6 });
    const factReads = statements.filter((sql) =>
      /from "orders" inner join "products".*inner join "users"/s.test(sql),
    );
    expect(factReads, statements.join("\n---\n")).toHaveLength(1);
    expect(smtp.received).toHaveLength(6);
  });

  it("a receipt is written in the buyer's language", async () => {
    await t.db().update(users).set({ locale: "en" }).where(eq(users.id, p.buyerId));
    const o = await paidOrder();
    await sendDueNotices(deps());
    const [receipt] = smtp.to(await buyerEmail());
    expect(receipt!.subject).toContain(o.orderNo);
    expect(receipt!.subject).toMatch(/[A-Za-z]{4}/);
    expect(receipt!.text).not.toMatch(/[\u4e00-\u9fff]{4}/);
  });
});

describe("writing a payment's notices", () => {
  it("one statement for the receipt and the owner's alert, finding the buyer by key, not by scanning users", async () => {
    const db = t.db();
    // Enough users that scanning them is the planner's choice if the buyer's row is joined.
    await db.insert(users).values(
      Array.from({ length: 3000 }, (_, i) => ({
        id: `usr_plan${i}`,
        email: `plan${i}@example.com`,
        passwordHash: "scrypt$x",
        locale: i === 7 ? "en" : "zh-CN",
      })),
    );
    await db.execute(sql`analyze users`);
    const { statements, params } = await statementsOf(db, () =>
      enqueueBuyerAndOwnerNotices(
        db,
        { kind: "receipt", eventKey: "order:ord_plan", userId: "usr_plan7", data: { a: 1 } },
        { kind: "owner_new_order", eventKey: "order:ord_plan", userId: "usr_plan7" },
      ),
    );
    expect(statements).toHaveLength(1);
    const written = await db.select().from(notices).where(eq(notices.eventKey, "order:ord_plan"));
    expect(written.map((n) => [n.kind, n.recipient, n.locale, n.userId, n.data]).sort()).toEqual([
      ["owner_new_order", "owner", "zh-CN", "usr_plan7", {}],
      ["receipt", "plan7@example.com", "en", "usr_plan7", { a: 1 }],
    ]);
    // The plan the server keeps for this statement (a generic one: it runs thousands of times).
    const plan = await db.transaction(async (tx) => {
      await tx.execute(sql`set local plan_cache_mode = force_generic_plan`);
      await tx.execute(sql.raw(`prepare notices_plan as ${statements[0]}`));
      try {
        const values = params[0]!.map((value) => `'${String(value).replaceAll("'", "''")}'`);
        return rowsOf(
          await tx.execute(sql.raw(`explain execute notices_plan(${values.join(", ")})`)),
        );
      } finally {
        await tx.execute(sql`deallocate notices_plan`);
      }
    });
    const text = plan.map((row) => Object.values(row).join(" ")).join("\n");
    expect(text).toMatch(/Index Scan using users_pkey on users/);
    expect(text).not.toMatch(/Seq Scan on users/);
    // A buyer who is gone gets nothing; the owner's alert is still written.
    await enqueueBuyerAndOwnerNotices(
      db,
      { kind: "receipt", eventKey: "order:ord_gone", userId: "usr_gone" },
      { kind: "owner_new_order", eventKey: "order:ord_gone" },
    );
    const gone = await db.select().from(notices).where(eq(notices.eventKey, "order:ord_gone"));
    expect(gone.map((n) => n.recipient)).toEqual(["owner"]);
  });
});

describe("the time budget", () => {
  /** Date.now moved on by hand (the budget's clock), so no test waits on the wall clock. */
  let ahead = 0;
  beforeEach(() => {
    ahead = 0;
    const realNow = Date.now.bind(Date);
    vi.spyOn(Date, "now").mockImplementation(() => realNow() + ahead);
  });
  afterEach(() => vi.restoreAllMocks());

  /** The SMTP transport, each send taking a second of the budget's clock (a slow mail server). */
  const slow = (transport: MailTransport): MailTransport => ({
    ...transport,
    async send(mail) {
      ahead += 1_000;
      return transport.send(mail);
    },
  });

  it("stops between the notices of a batch at the deadline and frees the rest at once: none lost, none doubled", async () => {
    for (const slug of ["side-hustle-handbook", "writing-that-sells", "notion-for-creators"]) {
      await paidOrder(slug);
    }
    const base = deps();
    const first = await sendDueNotices(
      { ...base, transport: slow(base.transport) },
      { timeBudgetMs: 1_500 },
    );
    // Two sends fit (at 0 s and at 1 s of a 1.5 s budget); the other four wait.
    expect(first).toMatchObject({ sent: 2, hasMore: true });
    const waiting = await t.db().select().from(notices).where(eq(notices.status, "pending"));
    expect(waiting).toHaveLength(4);
    // Released, not leased for two minutes: the next sender takes them now.
    expect(waiting.every((row) => row.claimedUntil === null && row.attempts === 0)).toBe(true);
    const second = await sendDueNotices(deps());
    expect(second).toMatchObject({ sent: 4, hasMore: false });
    expect(smtp.received).toHaveLength(6);
    expect(new Set(smtp.received.map((mail) => mail.messageId)).size).toBe(6);
  });

  it("gives way to payments before each notice; the wait counts against its budget and frees the rest", async () => {
    for (const slug of ["side-hustle-handbook", "writing-that-sells"]) await paidOrder(slug);
    const gauge = paymentsGauge();
    const pushDone = gauge.started(); // a push being answered
    let yields = 0;
    const base = deps();
    const sending = sendDueNotices(
      {
        ...base,
        yieldToPayments: async () => {
          yields++;
          const quiet = await gauge.quiet(60_000);
          // The first wait took 1.5 s of the budget's clock, the second one more second.
          ahead += yields === 1 ? 1_500 : 1_000;
          return quiet;
        },
      },
      { timeBudgetMs: 2_000 },
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(smtp.received).toHaveLength(0); // nothing is sent while the push is answered
    pushDone();
    // One wait before each notice: after the first there was time to send, after the second not.
    expect(await sending).toMatchObject({ sent: 1, hasMore: true });
    expect(yields).toBe(2);
    expect(smtp.received).toHaveLength(1);
    const waiting = await t.db().select().from(notices).where(eq(notices.status, "pending"));
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting.every((row) => row.claimedUntil === null)).toBe(true);
    expect(await sendDueNotices(deps())).toMatchObject({ hasMore: false });
    expect(new Set(smtp.received.map((mail) => mail.messageId)).size).toBe(smtp.received.length);
  });

  it("the cron job counts its sweeps against its budget: slow sweeps leave no time to send, not more time in all", async () => {
    await paidOrder();
    const base = deps();
    let reads = 0;
    const report = await runNoticesJob(
      {
        ...base,
        // The run receipt reads the clock first, then the sweeps: that read takes 3 s.
        now: async () => {
          if (++reads === 2) ahead += 3_000;
          return base.now();
        },
      },
      { timeBudgetMs: 2_000 },
    );
    expect(report).toMatchObject({ sent: 0, hasMore: true });
    expect(smtp.received).toHaveLength(0);
    // The next run has its full budget.
    expect(await runNoticesJob(deps())).toMatchObject({ sent: 2, hasMore: false });
  });
});

describe("SMTP down for a while", () => {
  it("notices wait while the server is down, then go out once it is back: none lost, none doubled", async () => {
    await smtp.stop();
    const o = await paidOrder();
    const first = await sendDueNotices(deps());
    expect(first).toMatchObject({ sent: 0, failed: 2 });
    let rows = await t.db().select().from(notices);
    for (const row of rows) {
      expect(row).toMatchObject({ status: "pending", attempts: 1, sentAt: null });
      expect(row.lastError).toMatch(/ECONNREFUSED|ESOCKET|connect/i);
    }
    // Not retried before its back-off is over, even with the server back.
    await smtp.start();
    expect(await sendDueNotices(deps())).toMatchObject({ sent: 0, failed: 0 });
    await smtp.stop();
    await advanceClock(t.db(), RETRY_DELAYS_MS[0] / 1000 + 1);
    expect(await sendDueNotices(deps())).toMatchObject({ sent: 0, failed: 2 });
    rows = await t.db().select().from(notices);
    expect(rows.every((row) => row.attempts === 2 && row.status === "pending")).toBe(true);

    await smtp.start();
    await advanceClock(t.db(), RETRY_DELAYS_MS[1] / 1000 + 1);
    expect(await sendDueNotices(deps())).toMatchObject({ sent: 2, failed: 0 });
    await advanceClock(t.db(), 86_400);
    expect(await sendDueNotices(deps())).toMatchObject({ sent: 0 });
    expect(smtp.to(await buyerEmail())).toHaveLength(1);
    expect(smtp.to(await buyerEmail())[0]!.subject).toContain(o.orderNo);
    expect(smtp.to(OWNER)).toHaveLength(1);
    rows = await t.db().select().from(notices);
    expect(rows.every((row) => row.status === "sent" && row.attempts === 2)).toBe(true);
  });

  it("a server refusing for a while (451) is retried; one that never takes it makes the notice dead, visible to the owner", async () => {
    smtp.refuse(451);
    await paidOrder();
    for (let attempt = 1; attempt <= MAX_SEND_ATTEMPTS; attempt++) {
      const report = await sendDueNotices(deps());
      if (attempt < MAX_SEND_ATTEMPTS) expect(report).toMatchObject({ failed: 2, dead: 0 });
      else expect(report).toMatchObject({ failed: 0, dead: 2 });
      await advanceClock(t.db(), (RETRY_DELAYS_MS[attempt - 1] ?? 0) / 1000 + 1);
    }
    const rows = await t.db().select().from(notices);
    for (const row of rows) {
      expect(row).toMatchObject({ status: "dead", attempts: MAX_SEND_ATTEMPTS, sentAt: null });
      expect(row.lastError).toContain("451");
    }
    smtp.refuse(null);
    await advanceClock(t.db(), 7 * 86_400);
    expect(await sendDueNotices(deps())).toMatchObject({ sent: 0 });
    expect(smtp.received).toHaveLength(0);
  });

  it("an address the server refuses for good (550) is not retried", async () => {
    smtp.refuse(550);
    await paidOrder();
    expect(await sendDueNotices(deps())).toMatchObject({ dead: 2 });
    const [row] = await t
      .db()
      .select()
      .from(notices)
      .where(and(eq(notices.kind, "receipt")));
    expect(row).toMatchObject({ status: "dead", attempts: 1 });
    expect(row!.lastError).toContain("550");
  });

  it("a refund tells the buyer once; the receipt sent before stays sent", async () => {
    const o = await paidOrder();
    await sendDueNotices(deps());
    const admin = await makeUser(t.db(), { role: "admin" });
    await recordManualRefund(
      { db: t.db(), now: () => p.bed.deps.now() },
      { orderNo: o.orderNo, note: "refunded by bank transfer", actorUserId: admin.id },
    );
    expect(await sendDueNotices(deps())).toMatchObject({ sent: 1 });
    const mails = smtp.to(await buyerEmail());
    expect(mails.map((m) => m.headers.get("x-xiaopu-notice"))).toEqual(["receipt", "refund"]);
    expect(mails[1]!.text).toContain(o.orderNo);
    expect(await sendDueNotices(deps())).toMatchObject({ sent: 0 });
  });

  it("a kind the owner switched off is skipped, queued ones too; a buyer who left reminders still gets receipts", async () => {
    const admin = await makeUser(t.db(), { role: "admin" });
    await unsubscribe(t.db(), p.buyerId, "reminders");
    expect(await setNoticeSwitch(t.db(), "owner_new_order", false, admin.id)).toMatchObject({
      ok: true,
    });
    await paidOrder();
    expect(await sendDueNotices(deps())).toMatchObject({ sent: 1, skipped: 1 });
    expect(smtp.to(await buyerEmail())).toHaveLength(1);
    expect(smtp.to(OWNER)).toHaveLength(0);
    const [owner] = await t.db().select().from(notices).where(eq(notices.kind, "owner_new_order"));
    expect(owner).toMatchObject({ status: "skipped", skipReason: "disabled", sentAt: null });
  });

  it("live without SMTP_URL: notices wait in the outbox untouched, and go once a transport is set", async () => {
    await paidOrder();
    const held = await sendDueNotices({ ...deps(), transport: holdTransport });
    expect(held).toMatchObject({ held: true, sent: 0, failed: 0, dead: 0 });
    const rows = await t.db().select().from(notices);
    expect(rows.every((row) => row.status === "pending" && row.attempts === 0)).toBe(true);
    expect(await sendDueNotices(deps())).toMatchObject({ sent: 2 });
  });
});
