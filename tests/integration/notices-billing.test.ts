import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { agreements, notices } from "@/db/schema";
import { runBillingPhase, type Phase } from "@/lib/billing/run";
import { DEFAULT_POLICY } from "@/lib/billing/schedule";
import { addDays, shanghaiDate } from "@/lib/clock";
import { sendDueNotices, type NoticeDeps } from "@/lib/notices/send";
import { sweepNotices } from "@/lib/notices/sweep";
import { smtpTransport } from "@/lib/notices/transport";
import { unsubscribe } from "@/db/queries/notice-settings";
import { cancelAutoRenewal } from "@/lib/subscriptions/cancel";
import { startSubscription } from "@/lib/subscriptions/start";
import { alipayTestbed, type AlipayTestbed } from "../helpers/alipay-testbed";
import { atShanghaiHour, billingDeps } from "../helpers/billing-testbed";
import { makeUser } from "../helpers/factories";
import { seed, withTestDatabase } from "../helpers/db";
import { startSmtpServer, type TestSmtpServer } from "../helpers/smtp-server";

/*
 * Issue #13, acceptance 2: a weekly membership through the sandbox clock (10:00 in Shanghai each
 * day), the billing phases and the notices job as cron would run them, every mail read from a
 * real SMTP server. Renewals are charged on the first day of Alipay's window (five days before
 * the scheduled date: days 2, 9, 16, 23): the reminder comes three days before each charge and
 * the success notice on its day; a declined renewal gives one failure notice for its period,
 * not one per retry; the membership's end gives one lapse notice.
 */
const t = withTestDatabase();
const DAY = 86_400;
let bed: AlipayTestbed;
let smtp: TestSmtpServer;
let email: string;

beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(async () => smtp.close());
beforeEach(async () => {
  smtp.received.length = 0;
  await seed(t.db());
  bed = await alipayTestbed(t.db());
  await atShanghaiHour(bed, 10);
});
afterEach(async () => bed.close());

function noticeDeps(): NoticeDeps {
  return {
    db: t.db(),
    now: () => bed.deps.now(),
    appUrl: "http://shop.test",
    authSecret: "n".repeat(32),
    policy: DEFAULT_POLICY,
    transport: smtpTransport({ url: smtp.url, from: "小铺 <noreply@shop.test>" }),
    dingTalk: null,
    ownerEmail: "owner@shop.test",
  };
}

async function subscribeWeekly(): Promise<string> {
  const user = await makeUser(t.db());
  email = user.email;
  const started = await startSubscription(bed.deps, {
    userId: user.id,
    productSlug: "membership-weekly",
  });
  expect((await bed.control("sign", { signUrl: started.signUrl })).status).toBe(200);
  await bed.deliver();
  return started.agreementId;
}

/** One day as the crons run it: billing phases, then the notices job (sweep, send). */
async function runDay(phases: Phase[], received: [number, string][], day: number) {
  const deps = billingDeps(bed);
  for (const phase of phases) await runBillingPhase(deps, phase);
  await bed.deliver();
  const before = smtp.to(email).length;
  await sweepNotices(noticeDeps());
  await sendDueNotices(noticeDeps());
  for (const mail of smtp.to(email).slice(before)) {
    received.push([day, String(mail.headers.get("x-xiaopu-notice"))]);
  }
}

describe("renewal notices on the sandbox clock", () => {
  it("a reminder three days before each weekly charge, a success notice after it", async () => {
    const agreementId = await subscribeWeekly();
    const day0 = shanghaiDate(await bed.deps.now());
    const received: [number, string][] = [];
    await runDay([], received, 0);
    for (let day = 1; day <= 24; day++) {
      await bed.advance(DAY);
      await runDay(["charge", "retry"], received, day);
    }
    // Charges on days 3, 10, 17, 24: inside Alipay's window of the dates 7, 14, 21, 28 (from
    // 2, 9, 16, 23), and three days after each period began, so that its reminder can go out
    // three days ahead — the first one too, on the day of signing.
    const successes = received.filter(([, kind]) => kind === "renewal_succeeded");
    expect(successes.map(([day]) => day)).toEqual([3, 10, 17, 24]);
    const reminders = received.filter(([, kind]) => kind === "renewal_reminder");
    expect(reminders.map(([day]) => day)).toEqual(successes.map(([day]) => day - 3));
    expect(received.filter(([, kind]) => kind === "membership_started")).toEqual([
      [0, "membership_started"],
    ]);
    // The welcome names the day money first leaves again (day 3), not the scheduled date (day 7).
    const zhDay = (date: string) => {
      const [y, m, d] = date.split("-").map(Number);
      return `${y}年${m}月${d}日`;
    };
    const welcome = smtp
      .to(email)
      .find((m) => m.headers.get("x-xiaopu-notice") === "membership_started")!;
    expect(welcome.text).toContain(`下一次扣款在 ${zhDay(addDays(day0, 3))}。`);
    // Nothing else, and nothing twice.
    expect(received).toHaveLength(1 + 4 + 4);

    // Each reminder names the day of its charge (the notice's data) and the plan's amount.
    const rows = await t.db().select().from(notices).where(eq(notices.kind, "renewal_reminder"));
    expect(rows.map((row) => row.data.chargeDate).sort()).toEqual(
      [3, 10, 17, 24].map((d) => addDays(day0, d)),
    );
    const mails = smtp
      .to(email)
      .filter((m) => m.headers.get("x-xiaopu-notice") === "renewal_reminder");
    expect(mails).toHaveLength(4);
    for (const mail of mails) {
      // Reminders carry the one-click unsubscribe (RFC 8058); receipts never do.
      expect(mail.header("list-unsubscribe-post")).toBe("List-Unsubscribe=One-Click");
      expect(mail.header("list-unsubscribe")).toMatch(
        /^<http:\/\/shop\.test\/api\/notices\/unsubscribe\?token=usr_/,
      );
      expect(mail.text).toContain("/notices/unsubscribe?token=");
    }
    const [a] = await t.db().select().from(agreements).where(eq(agreements.id, agreementId));
    expect(a).toMatchObject({ paidPeriods: 5, status: "active" });
  });

  it("a declined renewal gives one failure notice for its period, not one per retry; the lapse one more", async () => {
    await subscribeWeekly();
    expect((await bed.control("balance", { fen: 0 })).status).toBe(200);
    const received: [number, string][] = [];
    await runDay([], received, 0);
    for (let day = 1; day <= 8; day++) {
      await bed.advance(DAY);
      await runDay(["charge", "retry", "postpone"], received, day);
    }
    const attempts = await t.db().$count((await import("@/db/schema")).chargeAttempts);
    // Period 1 and three declined attempts of period 2 (days 3, 4, 5).
    expect(attempts).toBe(1 + DEFAULT_POLICY.maxAttempts);
    expect(received.filter(([, kind]) => kind === "renewal_failed")).toEqual([
      [3, "renewal_failed"],
    ]);
    // The paid week ends on day 7: one lapse notice, no success.
    expect(received.filter(([, kind]) => kind === "membership_lapsed")).toEqual([
      [7, "membership_lapsed"],
    ]);
    expect(received.some(([, kind]) => kind === "renewal_succeeded")).toBe(false);
    const failed = smtp
      .to(email)
      .find((m) => m.headers.get("x-xiaopu-notice") === "renewal_failed")!;
    // It says when it is tried again (the next day) and what to do.
    expect(failed.text.length).toBeGreaterThan(50);
  });

  it("cancelling auto-renewal gives one notice; no reminder or charge follows", async () => {
    const agreementId = await subscribeWeekly();
    const received: [number, string][] = [];
    await runDay([], received, 0);
    const [before] = await t.db().select().from(agreements).where(eq(agreements.id, agreementId));
    const userId = before!.userId;
    await cancelAutoRenewal(bed.deps, { userId });
    // Alipay's notifications of it, and more sweeps and sends, change nothing.
    await bed.deliver();
    await runDay([], received, 0);
    await runDay([], received, 0);
    expect(received.filter(([, kind]) => kind === "auto_renew_cancelled")).toHaveLength(1);
    const mail = smtp
      .to(email)
      .find((m) => m.headers.get("x-xiaopu-notice") === "auto_renew_cancelled")!;
    expect(mail.header("list-unsubscribe")).toBe("");
    // No reminder goes out for a renewal that will not happen.
    const reminders = await t
      .db()
      .select()
      .from(notices)
      .where(eq(notices.kind, "renewal_reminder"));
    expect(reminders.every((row) => row.status !== "pending")).toBe(true);
    for (let day = 1; day <= 3; day++) {
      await bed.advance(DAY);
      await runDay(["charge", "retry"], received, day);
    }
    expect(received.filter(([, kind]) => kind === "renewal_reminder").length).toBeLessThanOrEqual(
      1,
    );
    expect(received.some(([, kind]) => kind === "renewal_succeeded")).toBe(false);
  });

  it("a buyer who unsubscribed from reminders gets none; the membership notices still come", async () => {
    const agreementId = await subscribeWeekly();
    const [a] = await t.db().select().from(agreements).where(eq(agreements.id, agreementId));
    await unsubscribe(t.db(), a!.userId, "reminders");
    const received: [number, string][] = [];
    await runDay([], received, 0);
    expect(received).toEqual([[0, "membership_started"]]);
    const [reminder] = await t
      .db()
      .select()
      .from(notices)
      .where(eq(notices.kind, "renewal_reminder"));
    expect(reminder).toMatchObject({ status: "skipped", skipReason: "unsubscribed" });
  });

  it("the owner's digest: once a day from 09:00, about the day before; nothing to say, nothing sent", async () => {
    const owner = "owner@shop.test";
    await subscribeWeekly();
    const received: [number, string][] = [];
    // Day 0, 10:00: the digest of the day before has nothing in it.
    await runDay([], received, 0);
    await runDay([], received, 0);
    expect(
      smtp.to(owner).filter((m) => m.headers.get("x-xiaopu-notice") === "owner_digest"),
    ).toHaveLength(0);
    const digests = () => t.db().select().from(notices).where(eq(notices.kind, "owner_digest"));
    expect(await digests()).toMatchObject([{ status: "skipped", skipReason: "nothing_to_report" }]);
    // Day 1: yesterday's first membership payment is in it, once however often the job runs.
    await bed.advance(DAY);
    await runDay([], received, 1);
    await runDay([], received, 1);
    const mails = smtp.to(owner).filter((m) => m.headers.get("x-xiaopu-notice") === "owner_digest");
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain("¥");
    expect(mails[0]!.text).toContain("http://shop.test/admin");
    expect((await digests()).map((row) => row.status).sort()).toEqual(["sent", "skipped"]);
    expect((await digests()).find((row) => row.status === "sent")!.data).toMatchObject({
      paidOrders: 1,
    });
  });
});
