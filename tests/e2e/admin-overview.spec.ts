import overviewEn from "../../messages/admin-overview.en.json" with { type: "json" };
import overview from "../../messages/admin-overview.zh-CN.json" with { type: "json" };
import { expect, test, type Page } from "./fixtures";
import { SANDBOX_ADMIN, signIn } from "./helpers";

/*
 * The admin overview with 30 days of data (issue #11, acceptance 2: screenshots of the dashboard
 * with seeded data at desktop and phone widths), every figure leading to the list behind it; the
 * webhook inbox (labelled outcomes, a redacted payload, "process again") and the job runs.
 *
 * The data comes from POST /sandbox/control/dashboard-demo (sandbox only, admin only), on the
 * shop's clock. Other specs pay orders at "now" meanwhile, so exact figures are checked on a day
 * ten days back, which only the demo writes.
 */

const o = overview.admin.overview;
const inbox = overview.admin.inbox;
const runs = overview.admin.runsList;
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const shots = "test-results/screenshots";

interface Cell {
  day: string;
  channel: "youzan" | "alipay_first" | "alipay_renewal";
  amountFen: number;
}

/** Seeds the demo once per server (201); a server that has it already answers 409. */
async function ensureDemo(page: Page): Promise<Cell[] | null> {
  const response = await page.request.post("/sandbox/control/dashboard-demo");
  expect([201, 409], await response.text()).toContain(response.status());
  return response.status() === 201
    ? ((await response.json()) as { revenue: Cell[] }).revenue
    : null;
}

async function signInAdmin(page: Page) {
  await signIn(page, SANDBOX_ADMIN.email, SANDBOX_ADMIN.password, "/signin?callbackUrl=/admin");
  await expect(page.getByTestId("admin-shell")).toBeVisible();
}

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;
const figure = async (page: Page, testId: string) =>
  Number((await page.getByTestId(`${testId}-value`).innerText()).replace(/[^\d.]/g, ""));

/** The page's URL ends in exactly this path and query. */
const urlIs = (path: string) => new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);

async function noSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(1);
}

test.describe.configure({ mode: "serial" });

test.describe("admin overview", () => {
  test("the dashboard with 30 days of data, at desktop width; figures lead to their lists", async ({
    page,
  }) => {
    // Ten page loads, the demo data written on first run and a screenshot: on a loaded CI
    // machine (both e2e servers up) this ran past the default 30 s once.
    test.setTimeout(90_000);
    await page.setViewportSize(DESKTOP);
    await signInAdmin(page);
    const written = await ensureDemo(page);
    await page.goto("/admin");
    const overviewBox = page.getByTestId("admin-overview");
    await expect(overviewBox.getByRole("heading", { name: o.title, exact: true })).toBeVisible();
    const today = await page.getByTestId("overview-as-of").getAttribute("data-today");
    expect(today).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    // Needs attention: the two failing agreements and two orders in review the demo made.
    expect(await figure(page, "overview-failing")).toBeGreaterThanOrEqual(2);
    expect(await figure(page, "overview-review")).toBeGreaterThanOrEqual(2);
    expect(await figure(page, "overview-inboxDead")).toBeGreaterThanOrEqual(1);
    expect(await figure(page, "overview-agreements-active")).toBeGreaterThanOrEqual(6);
    expect(await figure(page, "overview-mrr")).toBeGreaterThan(0);
    await expect(page.getByTestId("overview-run")).toHaveCount(5);

    // The chart is drawn, with its text fallback: a day ten days back, exactly as written.
    const chart = page.getByTestId("revenue-chart");
    await expect(chart.locator(".recharts-bar-rectangle").first()).toBeVisible();
    await expect(chart.getByRole("img")).toHaveAttribute("aria-label", /¥/);
    await page.getByTestId("revenue-table").locator("summary").click();
    if (written) {
      const day = written[written.length - 1]!.day; // today
      const tenDaysBack = new Date(Date.parse(`${day}T00:00:00Z`) - 10 * 86_400_000)
        .toISOString()
        .slice(0, 10);
      const cells = written.filter((cell) => cell.day === tenDaysBack);
      expect(cells.length).toBeGreaterThan(0);
      const row = page
        .getByTestId("revenue-table")
        .getByRole("row", { name: new RegExp(tenDaysBack) });
      for (const cell of cells) await expect(row).toContainText(yuan(cell.amountFen));
      const total = cells.reduce((sum, cell) => sum + cell.amountFen, 0);
      await expect(row.locator("td").last()).toHaveText(yuan(total));
      // 30 days of revenue at least what the demo wrote (other specs add today's).
      const written30 = written.reduce((sum, cell) => sum + cell.amountFen, 0);
      expect(await figure(page, "overview-revenue-30")).toBeGreaterThanOrEqual(written30 / 100);
    }
    await page.screenshot({ path: `${shots}/admin-overview-desktop.png`, fullPage: true });

    // Every figure is a link to its filtered list (the URL contracts of the other pages).
    const from30 = new Date(Date.parse(`${today}T00:00:00Z`) - 29 * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const links: [string, string][] = [
      ["overview-failing", "/admin/subscriptions?failing=1"],
      ["overview-review", "/admin/orders?status=review"],
      ["overview-inboxFailed", "/admin/webhooks?status=failed"],
      ["overview-inboxStuck", "/admin/webhooks?status=received"],
      [
        "overview-channel-alipay_renewal",
        `/admin/orders?channel=alipay_renewal&status=paid&from=${from30}&to=${today}`,
      ],
      ["overview-revenue-today", `/admin/orders?status=paid&from=${today}&to=${today}`],
      ["overview-agreements-pending_sign", "/admin/subscriptions?status=pending_sign"],
      ["overview-churn", `/admin/subscriptions?closedFrom=${from30}`],
    ];
    for (const [testId, href] of links) {
      await expect(page.getByTestId(testId), testId).toHaveAttribute("href", href);
    }
    // Clicked: the browser lands on the list.
    await page.getByTestId("overview-channel-youzan").click();
    await expect(page).toHaveURL(
      urlIs(`/admin/orders?channel=youzan&status=paid&from=${from30}&to=${today}`),
    );
    await page.goto("/admin");
    await page.getByTestId("overview-inboxDead").click();
    await expect(page).toHaveURL(urlIs("/admin/webhooks?status=dead"));
    await expect(page.getByTestId("inbox-list")).toBeVisible();
    await page.goto("/admin/webhooks");
    await expect(page.getByTestId("inbox-list").getByTestId("admin-row").first()).toBeVisible();
    await page.screenshot({ path: `${shots}/admin-webhooks-desktop.png`, fullPage: true });
    await page.goto("/admin");
    await page.getByTestId("overview-run").first().click();
    await expect(page).toHaveURL(/\/admin\/runs\/run_[a-z0-9]+$/);
    await expect(page.getByTestId("run-detail")).toBeVisible();
  });

  test("the dashboard at phone width: cards, nothing sideways, the chart fits", async ({
    page,
  }) => {
    await page.setViewportSize(PHONE);
    await signInAdmin(page);
    await ensureDemo(page);
    await page.goto("/admin");
    await expect(page.getByTestId("overview-failing")).toBeVisible();
    await expect(
      page.getByTestId("revenue-chart").locator(".recharts-bar-rectangle").first(),
    ).toBeVisible();
    const chartBox = await page.getByTestId("revenue-chart").boundingBox();
    expect(chartBox!.x + chartBox!.width).toBeLessThanOrEqual(PHONE.width);
    await noSidewaysScroll(page);
    await page.screenshot({ path: `${shots}/admin-overview-phone.png`, fullPage: true });

    // In English (longer labels) nothing goes sideways either.
    await page
      .context()
      .addCookies([{ name: "NEXT_LOCALE", value: "en", url: new URL(page.url()).origin }]);
    await page.reload();
    await expect(
      page.getByRole("heading", { name: overviewEn.admin.overview.title, exact: true }),
    ).toBeVisible();
    await expect(
      page.getByTestId("revenue-chart").locator(".recharts-bar-rectangle").first(),
    ).toBeVisible();
    await noSidewaysScroll(page);
    await page.screenshot({ path: `${shots}/admin-overview-phone-en.png`, fullPage: true });
  });

  test("the inbox: labelled outcomes, filters, a redacted payload, process again (audited)", async ({
    page,
  }) => {
    await page.setViewportSize(PHONE);
    await signInAdmin(page);
    await ensureDemo(page);

    // The example, split and labelled: no effect · trade created · waiting for payment.
    await page.goto("/admin/webhooks?kind=trade_TradeCreate");
    const outcome = page.getByTestId("inbox-outcome").filter({ hasText: "no_effect" }).first();
    await expect(outcome).toContainText(overview.admin.codes.inboxOutcome.no_effect);
    await expect(outcome).toContainText(overview.admin.codes.webhookEvent.trade_TradeCreate);
    await expect(outcome).toContainText(overview.admin.codes.providerStatus.WAIT_BUYER_PAY);
    await noSidewaysScroll(page);
    await page.screenshot({ path: `${shots}/admin-webhooks-phone.png`, fullPage: true });

    // The filter form is a plain GET: provider + status in the URL.
    await page.goto("/admin/webhooks");
    const filters = page.getByTestId("inbox-filters");
    await filters.getByLabel(inbox.filters.provider, { exact: true }).selectOption("alipay");
    await filters.getByLabel(inbox.filters.status, { exact: true }).selectOption("dead");
    await filters.getByRole("button", { name: inbox.filters.apply }).click();
    await expect(page).toHaveURL(/\/admin\/webhooks\?provider=alipay&status=dead&kind=$/);
    const cards = page.getByTestId("inbox-list").getByTestId("admin-card");
    await expect(cards.first()).toBeVisible();

    // The dead Alipay notification: its payload with the signature and logon id hidden.
    await cards.first().getByTestId("inbox-detail-link").click();
    const detail = page.getByTestId("inbox-detail");
    await expect(detail).toHaveAttribute("data-status", "dead");
    const payload = page.getByTestId("inbox-payload");
    await expect(payload).toContainText('"sign": "[redacted]"');
    await expect(payload).toContainText('"sign_type": "RSA2"');
    await expect(payload).not.toContainText("b2JZ4Vx0demo");
    await expect(payload).toContainText("*******5678");
    await noSidewaysScroll(page);
    await page.screenshot({ path: `${shots}/admin-webhook-detail-phone.png`, fullPage: true });

    // Process again: one more attempt through the replay path; no longer dead.
    await page.getByRole("button", { name: inbox.reprocess.button }).click();
    await expect(page.getByTestId("inbox-reprocess-done")).toBeVisible();
    await expect(page.getByTestId("inbox-reprocess-done")).toContainText("dead →");
    await page.reload();
    await expect(page.getByTestId("inbox-detail")).not.toHaveAttribute("data-status", "dead");
    const id = page.url().split("/").pop()!;

    // Audited with the status before and after.
    await page.goto("/admin/audit?action=webhook.reprocess");
    const entry = page.getByTestId("audit-row").filter({ hasText: id }).first();
    await expect(entry).toContainText("webhook.reprocess");
    await expect(entry).toContainText('"status": "dead"');

    // The JSON API: a page of rows, the detail redacted, a forged cursor refused.
    const list = await page.request.get("/api/admin/webhook-events?provider=alipay&limit=2");
    expect(list.status()).toBe(200);
    const body = (await list.json()) as {
      items: { provider: string }[];
      nextCursor: string | null;
    };
    expect(body.items.every((item) => item.provider === "alipay")).toBe(true);
    const one = await page.request.get(`/api/admin/webhook-events/${id}`);
    expect(await one.text()).not.toContain("b2JZ4Vx0demo");
    expect((await page.request.get("/api/admin/webhook-events?cursor=bm9wZQ")).status()).toBe(400);
    expect((await page.request.get("/api/admin/webhook-events?status=nope")).status()).toBe(400);
  });

  test("the job runs: history, filter, one run's receipt", async ({ page }) => {
    await page.setViewportSize(PHONE);
    await signInAdmin(page);
    await ensureDemo(page);
    await page.goto("/admin/runs?status=failed&job=billing");
    const list = page.getByTestId("runs-list");
    await expect(list.getByTestId("admin-card").first()).toBeVisible();
    await expect(list).toContainText(overview.admin.codes.runStatus.failed);
    await noSidewaysScroll(page);
    await page.screenshot({ path: `${shots}/admin-runs-phone.png`, fullPage: true });
    await list.getByTestId("admin-card").first().getByTestId("run-detail-link").click();
    await expect(page.getByTestId("run-detail")).toHaveAttribute("data-status", "failed");
    await expect(page.getByText(runs.detail.error, { exact: true })).toBeVisible();
    await noSidewaysScroll(page);
    await page.screenshot({ path: `${shots}/admin-run-detail-phone.png`, fullPage: true });
    const api = await page.request.get("/api/admin/billing-runs?job=billing&limit=3");
    expect(api.status()).toBe(200);
    const page1 = (await api.json()) as { items: { job: string }[]; nextCursor: string | null };
    expect(page1.items).toHaveLength(3);
    expect(page1.items.every((run) => run.job.startsWith("billing:"))).toBe(true);
    expect(page1.nextCursor).not.toBeNull();
    // English labels exist for what the list shows.
    expect(overviewEn.admin.runsList.title).toBe("Job runs");
  });
});
