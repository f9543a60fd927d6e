import { createHmac, hkdfSync, randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import noticesZh from "../../messages/admin-notices.zh-CN.json" with { type: "json" };
import { expect, test, type Browser, type Page } from "./fixtures";
import { SANDBOX_ADMIN, signIn, signUp, uniqueEmail } from "./helpers";
import { removeDataDir, send, startShopServer, type ShopServer } from "./server-process";

/*
 * The owner's outbox and the buyer's way out of reminders (issue #13), on a shop server of this
 * spec's own (tests/e2e/server-process.ts) whose embedded database the spec prepares before the
 * server opens it: migrated, then notices in every state written straight into `notices` — a
 * failed send, a password reset that must not be resent, sent and skipped ones — so nothing
 * depends on the sender having run. The admin opens /admin/notices at desktop and phone width,
 * filters to failed sends, opens one, resends it; switches a kind off; a buyer opens an
 * unsubscribe link and confirms; a mail provider's one-click POST is answered; the account page
 * shows the subscription. Screenshots in test-results/screenshots/notices-*.png.
 */

const root = path.resolve(import.meta.dirname, "../..");
const dir = path.join(root, `.data/e2e-notices-${process.pid}`);
const SECRET = randomBytes(32).toString("hex");
const SHOTS = "test-results/screenshots";
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const t = noticesZh.admin.notices;
const codes = noticesZh.admin.codes;
const unsubscribeText = noticesZh.noticeUnsubscribe;

/** An id of the shop's shape (lib/ids.ts): prefix, underscore, 20 of Crockford's base32. */
function id(prefix: string): string {
  const alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
  return `${prefix}_${[...randomBytes(20)].map((b) => alphabet[b & 31]).join("")}`;
}

/**
 * The one-click token as lib/notices/tokens.ts makes it (that module is server-only): written
 * out again here, so this spec also checks the wire format the mails carry.
 */
function unsubscribeToken(userId: string): string {
  const key = Buffer.from(hkdfSync("sha256", SECRET, "xiaopu-notices", "unsubscribe", 32));
  const mac = createHmac("sha256", key).update(`${userId}.reminders`).digest("base64url");
  return `${userId}.reminders.${mac}`;
}

const buyers = { confirm: id("usr"), oneClick: id("usr") };
const rows = {
  dead: id("ntc"),
  reset: id("ntc"),
  sent: id("ntc"),
  skipped: id("ntc"),
  owner: id("ntc"),
};

/**
 * The sandbox clock's offset that puts the shop at 02:00 in Shanghai (the next time it comes):
 * the owner's digest is written from 09:00, and with two dead notices it would be sent, adding a
 * sixth row to the counts this spec reads (it failed so when CI ran after 09:00 Beijing).
 */
function offsetToEarlyMorning(): number {
  const DAY = 86_400_000;
  const shanghai = Date.now() + 8 * 3_600_000;
  let target = Math.floor(shanghai / DAY) * DAY + 2 * 3_600_000;
  if (target <= shanghai) target += DAY;
  return target - shanghai;
}

/** The database the server will open: migrated, two buyers, five notices, the clock at 02:00. */
async function prepareDatabase(): Promise<void> {
  const client = await PGlite.create(dir);
  try {
    await migrate(drizzle({ client }), { migrationsFolder: path.join(root, "drizzle") });
    await client.query(
      `insert into sandbox.clock (id, offset_ms) values (1, $1)
       on conflict (id) do update set offset_ms = excluded.offset_ms`,
      [offsetToEarlyMorning()],
    );
    for (const [name, userId] of Object.entries(buyers)) {
      await client.query(
        `insert into users (id, email, password_hash) values ($1, $2, 'scrypt$x')`,
        [userId, `notices-${name.toLowerCase()}-${userId.slice(4, 10)}@example.com`],
      );
    }
    const insert = (values: {
      id: string;
      kind: string;
      status: string;
      recipient: string;
      userId?: string;
      channel?: string;
      attempts?: number;
      lastError?: string;
      skipReason?: string;
      subject?: string;
      data?: object;
      createdAt: string;
      sentAt?: string;
    }) =>
      client.query(
        `insert into notices (id, kind, channel, event_key, recipient, user_id, data, status,
                              attempts, last_error, skip_reason, subject, sent_at, created_at,
                              next_attempt_at)
         values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $13, $14, $14)`,
        [
          values.id,
          values.kind,
          values.channel ?? "email",
          `e2e:${values.id}`,
          values.recipient,
          values.userId ?? null,
          JSON.stringify(values.data ?? {}),
          values.status,
          values.attempts ?? 0,
          values.lastError ?? null,
          values.skipReason ?? null,
          values.subject ?? null,
          values.sentAt ?? null,
          values.createdAt,
        ],
      );
    await insert({
      id: rows.dead,
      kind: "renewal_failed",
      status: "dead",
      recipient: "notices-confirm@example.com",
      userId: buyers.confirm,
      attempts: 8,
      lastError:
        "SMTP 554 5.7.1 Message rejected: the receiving server refused the message after eight attempts over two days",
      subject: "续费扣款失败：月度会员",
      data: { agreementId: "agr_e2e", periodIndex: 3 },
      createdAt: "2026-11-30T01:00:00Z",
    });
    await insert({
      id: rows.reset,
      kind: "password_reset",
      status: "dead",
      recipient: "notices-reset@example.com",
      userId: buyers.oneClick,
      attempts: 8,
      lastError: "connect ECONNREFUSED 127.0.0.1:25",
      data: { tokenId: "prt_e2e", sealed: "iv.tag.secret-reset-token" },
      createdAt: "2026-11-30T02:00:00Z",
    });
    await insert({
      id: rows.sent,
      kind: "receipt",
      status: "sent",
      recipient: "notices-confirm@example.com",
      userId: buyers.confirm,
      subject: "收据：Notion 模板合集",
      createdAt: "2026-11-29T03:00:00Z",
      sentAt: "2026-11-29T03:00:05Z",
    });
    await insert({
      id: rows.skipped,
      kind: "renewal_reminder",
      status: "skipped",
      recipient: "notices-oneclick@example.com",
      userId: buyers.oneClick,
      skipReason: "unsubscribed",
      createdAt: "2026-11-29T04:00:00Z",
    });
    await insert({
      id: rows.owner,
      kind: "owner_new_order",
      channel: "dingtalk",
      status: "sent",
      recipient: "dingtalk",
      subject: "新订单 ¥19.90",
      createdAt: "2026-11-29T05:00:00Z",
      sentAt: "2026-11-29T05:00:01Z",
    });
  } finally {
    await client.close();
  }
}

let shop: ShopServer | undefined;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  removeDataDir(dir);
  removeDataDir(`${dir}-files`);
  mkdirSync(SHOTS, { recursive: true });
  await prepareDatabase();
  shop = await startShopServer({
    PGLITE_DIR: dir,
    DATABASE_URL: "",
    AUTH_SECRET: SECRET,
    STORAGE_LOCAL_DIR: `${dir}-files`,
  });
});

test.afterAll(async () => {
  await shop?.stop();
  removeDataDir(dir);
  removeDataDir(`${dir}-files`);
});

function baseUrl(): string {
  if (!shop) throw new Error("the notices server did not start");
  return shop.baseUrl;
}

/** A page of its own on this spec's server (relative paths go there). */
async function openPage(browser: Browser, viewport = DESKTOP): Promise<Page> {
  const context = await browser.newContext({ baseURL: baseUrl(), viewport });
  return context.newPage();
}

async function signInAdmin(page: Page, to = "/admin/notices") {
  await signIn(page, SANDBOX_ADMIN.email, SANDBOX_ADMIN.password, `/signin?callbackUrl=${to}`);
  await page.waitForURL((url) => url.pathname === to);
}

/** Nothing on the page is wider than the window (no sideways scrolling on a phone). */
async function expectNoSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
}

test.describe("admin notices", () => {
  test("the outbox: counts, filter to failed sends, a notice's detail, send it again", async ({
    browser,
  }) => {
    test.setTimeout(90_000);
    const page = await openPage(browser);
    await signInAdmin(page);
    await expect(page.getByRole("heading", { name: t.title, level: 1 })).toBeVisible();
    await expect(page.locator('nav a[href="/admin/notices"]')).toHaveText(
      noticesZh.admin.nav.notices,
    );
    // Counts by status; the failed ones highlighted and explained.
    await expect(page.getByTestId("notice-count-dead")).toContainText("2");
    await expect(page.getByTestId("notice-count-sent")).toContainText("2");
    await expect(page.getByTestId("notice-count-skipped")).toContainText("1");
    await expect(page.getByTestId("notice-dead-hint")).toHaveText(t.counts.deadHint);
    const list = page.getByTestId("notices-list");
    await expect(list.getByTestId("admin-row")).toHaveCount(5);
    // Kinds in words, recipients, subjects, the start of an error.
    // (Each row is in the DOM twice: the table row and the phone's card; the table is shown.)
    await expect(list.getByText(codes.noticeKind.renewal_failed).first()).toBeVisible();
    await expect(list.getByText(noticesZh.admin.notices.recipient.dingtalk).first()).toBeVisible();
    await expect(
      list.getByTestId("notice-error").filter({ hasText: "SMTP 554" }).first(),
    ).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/notices-list-desktop.png`, fullPage: true });

    // Filter to failed sends with the form (a plain GET: the filter is the URL).
    const filters = page.getByTestId("filter-form");
    await filters.getByLabel(t.filters.status).selectOption("dead");
    await filters.getByTestId("filter-apply").click();
    await expect(page).toHaveURL(/[?&]status=dead/);
    await expect(list.getByTestId("admin-row")).toHaveCount(2);
    for (const row of await list.getByTestId("admin-row").all()) {
      await expect(row.locator('[data-status="dead"]')).toHaveCount(1);
    }

    // The password reset: its sealed token masked, and no way to send it again.
    await page.goto(`/admin/notices/${rows.reset}`);
    await expect(page.getByTestId("notice-data")).toContainText("•••");
    await expect(page.getByTestId("notice-data")).not.toContainText("secret-reset-token");
    await expect(page.getByTestId("notice-resend-unavailable")).toHaveText(
      t.resend.notAvailable.password_reset,
    );
    await expect(page.getByTestId("notice-resend-button")).toHaveCount(0);

    // The failed renewal notice: open it from the filtered list, send it again.
    await page.goto("/admin/notices?status=dead");
    await list.locator(`table a[href="/admin/notices/${rows.dead}"]`).click();
    await expect(page).toHaveURL(new RegExp(`/admin/notices/${rows.dead}$`));
    const detail = page.getByTestId("notice-detail");
    await expect(detail).toHaveAttribute("data-status", "dead");
    await expect(page.getByTestId("notice-last-error")).toContainText("eight attempts");
    await expect(page.getByTestId("notice-data")).toContainText("agr_e2e");
    await page.getByTestId("notice-resend-button").click();
    await expect(page.getByTestId("notice-resend-confirm")).toContainText(
      "notices-confirm@example.com",
    );
    await page.getByTestId("notice-resend-submit").click();
    await expect(page.getByTestId("notice-resend-done")).toHaveText(
      t.resend.done.replace("{before}", codes.noticeStatus.dead),
    );
    // The page's data reloaded: no longer failed (pending, or sent if the sender was quick).
    await expect(detail).not.toHaveAttribute("data-status", "dead");
    await expect(page.getByTestId("notice-attempts")).not.toContainText("8");
    await page.screenshot({ path: `${SHOTS}/notices-resent-desktop.png`, fullPage: true });

    // The audit log has the row.
    await page.goto("/admin/audit?action=notice.resend");
    await expect(page.getByTestId("audit-row")).toHaveCount(1);
    await expect(page.getByTestId("audit-row")).toContainText(rows.dead);
    await page.context().close();
  });

  test("at phone width: counts, cards, the detail and its resend, nothing wider than the screen", async ({
    browser,
  }) => {
    const page = await openPage(browser, PHONE);
    await signInAdmin(page);
    await expect(page.getByTestId("notice-counts")).toBeVisible();
    await expect(page.getByTestId("notices-list").getByTestId("admin-card").first()).toBeVisible();
    await expectNoSidewaysScroll(page);
    await page.screenshot({ path: `${SHOTS}/notices-list-phone.png`, fullPage: true });
    await page.goto(`/admin/notices/${rows.sent}`);
    await expect(page.getByTestId("notice-resend-button")).toBeVisible();
    await expectNoSidewaysScroll(page);
    await page.screenshot({ path: `${SHOTS}/notices-detail-phone.png`, fullPage: true });
    await page.goto("/admin/notices/settings");
    await expect(page.getByTestId("notice-switches")).toBeVisible();
    await expectNoSidewaysScroll(page);
    await page.screenshot({ path: `${SHOTS}/notices-settings-phone.png`, fullPage: true });
    await page.context().close();
  });

  test("the switches: one kind off, saved and kept; a password reset is always sent", async ({
    browser,
  }) => {
    const page = await openPage(browser);
    await signInAdmin(page, "/admin/notices/settings");
    await expect(page.getByRole("heading", { name: t.settings.title })).toBeVisible();
    await expect(page.getByTestId("notice-switch-password_reset-always")).toHaveText(
      t.settings.alwaysOn,
    );
    await expect(page.getByTestId("notice-switch-password_reset-toggle")).toHaveCount(0);
    const digest = page.getByTestId("notice-switch-owner_digest-toggle");
    await expect(digest).toHaveAttribute("aria-checked", "true");
    await digest.click();
    await expect(page.getByTestId("notice-switch-owner_digest-state")).toHaveText(t.settings.saved);
    await expect(digest).toHaveAttribute("aria-checked", "false");
    await page.screenshot({ path: `${SHOTS}/notices-settings-desktop.png`, fullPage: true });
    await page.reload();
    await expect(page.getByTestId("notice-switch-owner_digest-toggle")).toHaveAttribute(
      "aria-checked",
      "false",
    );
    await expect(page.getByTestId("notice-switch-receipt-toggle")).toHaveAttribute(
      "aria-checked",
      "true",
    );
    await page.goto("/admin/audit?action=notice.switch");
    await expect(page.getByTestId("audit-row")).toHaveCount(1);
    await expect(page.getByTestId("audit-row")).toContainText("owner_digest");
    await page.context().close();
  });
});

test.describe("leaving renewal reminders", () => {
  test("a buyer opens the link (nothing happens yet), confirms, and can subscribe again", async ({
    browser,
  }) => {
    const page = await openPage(browser, PHONE);
    const link = `/notices/unsubscribe?token=${encodeURIComponent(unsubscribeToken(buyers.confirm))}`;
    await page.goto(link);
    const confirm = page.getByTestId("unsubscribe-confirm");
    await expect(confirm).toContainText(unsubscribeText.confirm);
    // Opening it (as a mail scanner would) changed nothing: opened again, it still asks.
    await page.goto(link);
    await expect(page.getByTestId("unsubscribe-confirm")).toBeVisible();
    await expectNoSidewaysScroll(page);
    await page.screenshot({ path: `${SHOTS}/notices-unsubscribe-phone.png`, fullPage: true });
    await page.getByRole("button", { name: unsubscribeText.submit }).click();
    const done = page.getByTestId("unsubscribe-done");
    await expect(done).toContainText(unsubscribeText.doneTitle);
    await page.screenshot({ path: `${SHOTS}/notices-unsubscribed-phone.png`, fullPage: true });
    // A reload repeats nothing and shows the same state.
    await page.reload();
    await expect(page.getByTestId("unsubscribe-done")).toBeVisible();
    await page.getByRole("button", { name: unsubscribeText.resubscribe }).click();
    await expect(page.getByTestId("unsubscribe-resubscribed")).toHaveText(
      unsubscribeText.resubscribed,
    );
    // A link that is not ours: a clear message.
    await page.goto("/notices/unsubscribe?token=usr_forged.reminders.x");
    await expect(page.getByTestId("unsubscribe-invalid")).toContainText(
      unsubscribeText.invalidTitle,
    );
    await page.context().close();
  });

  test("a mail provider's one-click POST (RFC 8058) from anywhere unsubscribes; GET does not", async ({
    browser,
  }) => {
    const token = encodeURIComponent(unsubscribeToken(buyers.oneClick));
    const path = `/api/notices/unsubscribe?token=${token}`;
    const get = await send(baseUrl(), path);
    expect(get.status).toBe(405);
    const post = await send(baseUrl(), path, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: "https://mail.example.net",
      },
      body: "List-Unsubscribe=One-Click",
    });
    expect(post.status).toBe(200);
    expect(JSON.parse(post.body)).toEqual({ unsubscribed: true });
    const forged = await send(baseUrl(), `/api/notices/unsubscribe?token=${token}x`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(forged.status).toBe(400);
    // The page now says so.
    const page = await openPage(browser);
    await page.goto(`/notices/unsubscribe?token=${token}`);
    await expect(page.getByTestId("unsubscribe-done")).toBeVisible();
    await page.context().close();
  });

  test("the account page shows the reminder subscription and switches it", async ({ browser }) => {
    const page = await openPage(browser, PHONE);
    await signUp(page, uniqueEmail("reminders"));
    const status = page.getByTestId("reminders-status");
    await expect(status).toHaveText(noticesZh.account.reminders.subscribed);
    await page.getByTestId("reminders-toggle").click();
    await expect(status).toHaveText(noticesZh.account.reminders.unsubscribed);
    await page.getByTestId("reminders-form").screenshot({
      path: `${SHOTS}/notices-account-reminders-phone.png`,
    });
    await page.reload();
    await expect(page.getByTestId("reminders-status")).toHaveText(
      noticesZh.account.reminders.unsubscribed,
    );
    await page.getByTestId("reminders-toggle").click();
    await expect(page.getByTestId("reminders-status")).toHaveText(
      noticesZh.account.reminders.subscribed,
    );
    await page.context().close();
  });
});
