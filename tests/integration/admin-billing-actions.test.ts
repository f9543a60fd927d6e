import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { insertRun, listRunsByJobPrefix } from "@/db/queries/billing-runs";
import { agreements, auditLog, billingRuns, orders } from "@/db/schema";
import { getCurrentUser, type CurrentUser } from "@/lib/auth/guards";
import { authorizePanel, DAY_MS, parsePanelCommand, readShopTime } from "@/lib/billing/admin";
import { sandboxBillingAction } from "@/lib/billing/admin-actions";
import { CLOCK_STEP_DAYS, PANEL_PHASES, type PanelState } from "@/lib/billing/admin-panel";
import { PHASES } from "@/lib/billing/run";
import type * as EnvModule from "@/lib/env";
import { readClockOffset, shanghaiDate, startOfShanghaiDate } from "@/lib/clock";
import { getBillingRuntime } from "@/lib/runtime";
import { startSubscription } from "@/lib/subscriptions/start";
import { revalidatePath } from "next/cache";
import { alipayTestbed, type AlipayTestbed } from "../helpers/alipay-testbed";
import { billingDeps } from "../helpers/billing-testbed";
import { seed, withTestDatabase } from "../helpers/db";
import { makeUser } from "../helpers/factories";

/*
 * The sandbox billing panel of /admin/billing, through its server action as the page calls it:
 * the signed-in user (the session is the test's), the mode (sandbox unless a test says live)
 * and the billing runtime (the Alipay testbed: the real client against the sandbox, on the one
 * virtual clock) are the test's; the database, the clock, the audit log and the runs are real.
 */
vi.mock("@/lib/auth/guards", () => ({ getCurrentUser: vi.fn() }));
vi.mock("@/lib/runtime", () => ({ getBillingRuntime: vi.fn(), kickNotices: vi.fn() }));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
const mode = vi.hoisted(() => ({ sandbox: true }));
vi.mock("@/lib/env", async (importOriginal) => {
  const actual = await importOriginal<typeof EnvModule>();
  return { ...actual, getEnv: () => ({ ...actual.getEnv(), isSandbox: mode.sandbox }) };
});

const t = withTestDatabase();

let bed: AlipayTestbed;
let admin: CurrentUser;
let buyer: CurrentUser;

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.append(key, value);
  return data;
}

const signedInAs = (user: CurrentUser | null) =>
  vi.mocked(getCurrentUser).mockImplementation(async () => user);

const act = (fields: Record<string, string>): Promise<PanelState> =>
  sandboxBillingAction({}, form(fields));

const runs = () => t.db().select().from(billingRuns);
const audits = () => t.db().select().from(auditLog);

/** Moves the virtual clock to the next `hour`:00 in Asia/Shanghai (no test straddles midnight). */
async function toShanghaiHour(hour: number): Promise<void> {
  const now = (await bed.deps.now()).getTime();
  let target = startOfShanghaiDate(shanghaiDate(new Date(now))).getTime() + hour * 3_600_000;
  if (target <= now) target += DAY_MS;
  await bed.advance((target - now) / 1000);
}

beforeEach(async () => {
  mode.sandbox = true;
  await seed(t.db());
  bed = await alipayTestbed(t.db());
  const adminRow = await makeUser(t.db(), { role: "admin" });
  const buyerRow = await makeUser(t.db());
  admin = { id: adminRow.id, email: adminRow.email, name: null, role: "admin" };
  buyer = { id: buyerRow.id, email: buyerRow.email, name: null, role: "buyer" };
  signedInAs(admin);
  vi.mocked(getBillingRuntime).mockImplementation(async () => billingDeps(bed));
  vi.mocked(revalidatePath).mockClear();
});
afterEach(async () => {
  mode.sandbox = true;
  await bed.close();
});

describe("who may use the panel", () => {
  it("authorizePanel: a signed-in admin in sandbox mode only", () => {
    expect(authorizePanel(null, true)).toEqual({ error: "unauthorized" });
    expect(authorizePanel(buyer, true)).toEqual({ error: "forbidden" });
    expect(authorizePanel(buyer, false)).toEqual({ error: "forbidden" });
    expect(authorizePanel(admin, false)).toEqual({ error: "not_sandbox" });
    expect(authorizePanel(admin, true)).toEqual({ user: admin });
  });

  it.each([
    ["anonymous", null, "unauthorized"],
    ["a buyer", "buyer", "forbidden"],
  ] as const)("refuses %s: nothing moves, nothing runs", async (_label, who, error) => {
    signedInAs(who === null ? null : buyer);
    expect(await act({ op: "advance", days: "7" })).toEqual({ error });
    expect(await act({ op: "run", phase: "charge" })).toEqual({ error });
    expect(await readClockOffset(t.db())).toBe(0);
    expect(await runs()).toHaveLength(0);
    expect(await audits()).toHaveLength(0);
    expect(revalidatePath).not.toHaveBeenCalled();
  });

  it("refuses the admin in live mode: the clock stays real, no phase runs", async () => {
    mode.sandbox = false;
    expect(await act({ op: "advance", days: "1" })).toEqual({ error: "not_sandbox" });
    expect(await act({ op: "run", phase: "charge", dryRun: "1" })).toEqual({
      error: "not_sandbox",
    });
    expect(await readClockOffset(t.db())).toBe(0);
    expect(await runs()).toHaveLength(0);
    expect(await audits()).toHaveLength(0);
    expect(getBillingRuntime).not.toHaveBeenCalled();
    // The page shows real time in live mode.
    const time = await readShopTime(t.db(), false);
    expect(time).toMatchObject({ offsetMs: 0, virtual: false });
  });
});

describe("what the action accepts", () => {
  it("offers the same phases as the runner, and the steps 1, 7 and 30 days", () => {
    expect([...PANEL_PHASES]).toEqual([...PHASES]);
    expect([...CLOCK_STEP_DAYS]).toEqual([1, 7, 30]);
  });

  it("parses the two forms and nothing else", () => {
    expect(parsePanelCommand(form({ op: "advance", days: "1" }))).toEqual({
      op: "advance",
      days: 1,
    });
    expect(parsePanelCommand(form({ op: "advance", days: "30" }))).toEqual({
      op: "advance",
      days: 30,
    });
    expect(parsePanelCommand(form({ op: "run", phase: "reconcile" }))).toEqual({
      op: "run",
      phase: "reconcile",
      dryRun: false,
    });
    expect(parsePanelCommand(form({ op: "run", phase: "charge", dryRun: "1" }))).toEqual({
      op: "run",
      phase: "charge",
      dryRun: true,
    });
    // React's own fields of a progressively enhanced form are not ours to judge.
    expect(parsePanelCommand(form({ op: "advance", days: "7", $ACTION_ID_abc: "" }))).toMatchObject(
      { days: 7 },
    );
    const refused: Record<string, string>[] = [
      {},
      { days: "1" },
      { op: "advance" },
      { op: "advance", days: "2" },
      { op: "advance", days: "-1" },
      { op: "advance", days: "1.0" },
      { op: "advance", days: " 7" },
      { op: "advance", days: "" },
      { op: "advance", days: "365000" },
      { op: "run" },
      { op: "run", phase: "refund" },
      { op: "run", phase: "CHARGE" },
      { op: "run", phase: "charge", dryRun: "maybe" },
      { op: "rewind", days: "1" },
    ];
    for (const bad of refused) {
      expect(parsePanelCommand(form(bad)), JSON.stringify(bad)).toBeNull();
    }
    const twice = form({ op: "advance", days: "1" });
    twice.append("days", "30");
    expect(parsePanelCommand(twice)).toBeNull();
    const file = form({ op: "run" });
    file.append("phase", new Blob(["charge"]), "phase.txt");
    expect(parsePanelCommand(file)).toBeNull();
  });

  it("answers an invalid form with a message key, changing nothing", async () => {
    expect(await act({ op: "advance", days: "3" })).toEqual({ error: "invalid" });
    expect(await act({ op: "run", phase: "everything" })).toEqual({ error: "invalid" });
    expect(await readClockOffset(t.db())).toBe(0);
    expect(await runs()).toHaveLength(0);
  });
});

describe("moving the sandbox clock", () => {
  it("moves it forward by whole days, says where it is now, and audits each move", async () => {
    const before = Date.now();
    const first = await act({ op: "advance", days: "1" });
    expect(first.error).toBeUndefined();
    expect(first.clock).toMatchObject({ days: 1, offsetMs: DAY_MS });
    const second = await act({ op: "advance", days: "7" });
    expect(second.clock).toMatchObject({ days: 7, offsetMs: 8 * DAY_MS });
    const shown = new Date(second.clock!.now).getTime();
    expect(shown).toBeGreaterThanOrEqual(before + 8 * DAY_MS);
    expect(shown).toBeLessThanOrEqual(Date.now() + 8 * DAY_MS);
    expect(await readClockOffset(t.db())).toBe(8 * DAY_MS);
    const time = await readShopTime(t.db(), true);
    expect(time).toMatchObject({ offsetMs: 8 * DAY_MS, virtual: true });

    const rows = (await audits()).sort((a, b) => a.id - b.id);
    expect(rows.map((row) => [row.actorKind, row.actorUserId, row.action, row.details])).toEqual([
      [
        "user",
        admin.id,
        "sandbox.clock_advanced",
        { days: 1, fromOffsetMs: 0, toOffsetMs: DAY_MS },
      ],
      [
        "user",
        admin.id,
        "sandbox.clock_advanced",
        { days: 7, fromOffsetMs: DAY_MS, toOffsetMs: 8 * DAY_MS },
      ],
    ]);
    // Each row is dated at its move on the clock as it was then (not after the move).
    const apart = rows[1]!.createdAt.getTime() - rows[0]!.createdAt.getTime();
    expect(apart).toBeGreaterThanOrEqual(DAY_MS);
    expect(apart).toBeLessThan(DAY_MS + 10_000);
    expect(revalidatePath).toHaveBeenCalledWith("/admin/billing");
  });
});

describe("running a phase now", () => {
  async function subscribeWeekly(): Promise<void> {
    const started = await startSubscription(bed.deps, {
      userId: buyer.id,
      productSlug: "membership-weekly",
    });
    expect((await bed.control("sign", { signUrl: started.signUrl })).status).toBe(200);
    await bed.deliver();
  }
  const agreementOf = async () =>
    (await t.db().select().from(agreements).where(eq(agreements.userId, buyer.id)))[0]!;

  it("a weekly plan: dry runs report and change nothing, the real charge renews it once", async () => {
    await toShanghaiHour(10);
    await subscribeWeekly();
    const day0 = shanghaiDate(await bed.deps.now());
    expect((await agreementOf()).nextChargeDate).not.toBeNull();

    // Day 1: the next date (day 7) is not yet inside the 5-day window; day 2 is, but a weekly
    // period is first tried three days (NOTICE_REMIND_DAYS) after it began.
    expect((await act({ op: "advance", days: "1" })).clock?.days).toBe(1);
    const early = await act({ op: "run", phase: "charge", dryRun: "1" });
    expect(early.report).toMatchObject({ phase: "charge", dryRun: true, processed: 0 });
    await act({ op: "advance", days: "1" });
    const reminded = await act({ op: "run", phase: "charge", dryRun: "1" });
    expect(reminded.report).toMatchObject({ phase: "charge", dryRun: true, processed: 0 });

    // Day 3: due. The dry run says so and touches nothing.
    await act({ op: "advance", days: "1" });
    const preview = await act({ op: "run", phase: "charge", dryRun: "1" });
    expect(preview.error).toBeUndefined();
    expect(preview.report).toMatchObject({
      phase: "charge",
      dryRun: true,
      processed: 1,
      charged: 0,
      declined: 0,
      closed: 0,
      postponed: 0,
      unknown: 0,
      hasMore: false,
    });
    expect(Object.values(preview.report!.wouldDo ?? {}).reduce((a, b) => a + b, 0)).toBe(1);
    expect(await t.db().select().from(orders).where(eq(orders.kind, "renewal"))).toHaveLength(0);

    // The real run charges period 2, once.
    const real = await act({ op: "run", phase: "charge" });
    expect(real.report).toMatchObject({ phase: "charge", dryRun: false, processed: 1, charged: 1 });
    await bed.deliver();
    expect(await agreementOf()).toMatchObject({ status: "active", paidPeriods: 2 });
    expect(shanghaiDate(await bed.deps.now())).toBe(
      shanghaiDate(new Date(startOfShanghaiDate(day0).getTime() + 3 * DAY_MS)),
    );
    const again = await act({ op: "run", phase: "charge" });
    expect(again.report).toMatchObject({ processed: 0, charged: 0 });

    // Every other phase runs from the panel too.
    for (const phase of ["retry", "postpone", "reconcile"] as const) {
      const state = await act({ op: "run", phase });
      expect(state.error, phase).toBeUndefined();
      expect(state.report, phase).toMatchObject({ phase, dryRun: false, charged: 0 });
    }

    // The page lists billing runs only, newest first, dry runs marked.
    await insertRun(t.db(), { id: "run_other", job: "orders:reconcile", startedAt: new Date() });
    const listed = await listRunsByJobPrefix(t.db(), "billing:");
    expect(listed.map((run) => [run.job, run.dryRun, run.status])).toEqual([
      ["billing:reconcile", false, "completed"],
      ["billing:postpone", false, "completed"],
      ["billing:retry", false, "completed"],
      ["billing:charge", false, "completed"],
      ["billing:charge", false, "completed"],
      ["billing:charge", true, "completed"],
      ["billing:charge", true, "completed"],
      ["billing:charge", true, "completed"],
    ]);
    expect(listed.find((run) => run.id === real.report!.runId)).toMatchObject({
      claimed: 1,
      succeeded: 1,
    });
    expect(await runs()).toHaveLength(9);

    // Each run from the panel is audited: who ran which phase, the run and its totals.
    const phaseRuns = (await audits())
      .filter((row) => row.action === "billing.phase_run")
      .sort((a, b) => a.id - b.id);
    expect(phaseRuns).toHaveLength(8);
    expect(phaseRuns.every((row) => row.actorUserId === admin.id)).toBe(true);
    const realRow = phaseRuns.find((row) => row.targetId === real.report!.runId);
    expect(realRow).toMatchObject({
      actorKind: "user",
      targetType: "billing_run",
      details: { phase: "charge", dryRun: false, processed: 1, charged: 1 },
    });
  });

  it("says billing is switched off under the kill switch, and nothing runs", async () => {
    vi.mocked(getBillingRuntime).mockImplementation(async () =>
      billingDeps(bed, { enabled: false }),
    );
    expect(await act({ op: "run", phase: "charge" })).toEqual({ error: "disabled" });
    expect(await runs()).toHaveLength(0);
  });

  it("answers a failure with a message key, never a thrown error", async () => {
    vi.mocked(getBillingRuntime).mockRejectedValue(new Error("database restarting"));
    await expect(act({ op: "run", phase: "reconcile" })).resolves.toEqual({ error: "failed" });
    vi.mocked(getCurrentUser).mockRejectedValue(new Error("session store down"));
    await expect(act({ op: "advance", days: "1" })).resolves.toEqual({ error: "failed" });
    expect(await readClockOffset(t.db())).toBe(0);
  });
});
