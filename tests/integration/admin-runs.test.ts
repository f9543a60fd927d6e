import { describe, expect, it } from "vitest";
import { billingRuns } from "@/db/schema";
import { runDetail, runsPage, runsQuery } from "@/lib/admin/runs-page";
import { isAppError } from "@/lib/errors";
import { withTestDatabase } from "../helpers/db";

/* The admin's job runs (issue #11, "Billing runs"): filters, keyset pages, one run. */

const t = withTestDatabase();
const NOW = new Date("2026-12-01T08:00:00Z");

async function run(id: string, job: string, status: "completed" | "failed", minutesAgo: number) {
  await t
    .db()
    .insert(billingRuns)
    .values({
      id,
      job,
      status,
      claimed: 3,
      succeeded: 2,
      failed: 1,
      summary: { phase: "charge", processed: 3, charged: 2, declined: 1 },
      startedAt: new Date(NOW.getTime() - minutesAgo * 60_000),
      finishedAt: new Date(NOW.getTime() - minutesAgo * 60_000 + 1_500),
    });
}

describe("job runs", () => {
  it("filters by status and job family, newest first, a keyset page at a time", async () => {
    await run("run_a", "billing:charge", "completed", 50);
    await run("run_b", "orders.reconcile", "completed", 40);
    await run("run_c", "billing:retry", "failed", 30);
    await run("run_d", "billing:charge", "completed", 20);
    await run("run_e", "billing:reconcile", "completed", 20); // same instant as run_d
    const ids = async (over: Record<string, string>) =>
      (await runsPage(t.db(), runsQuery.parse(over))).items.map((r) => r.id);
    expect(await ids({})).toEqual(["run_e", "run_d", "run_c", "run_b", "run_a"]);
    expect(await ids({ job: "orders" })).toEqual(["run_b"]);
    expect(await ids({ job: "billing", status: "completed" })).toEqual(["run_e", "run_d", "run_a"]);
    expect(await ids({ status: "failed" })).toEqual(["run_c"]);

    const first = await runsPage(t.db(), runsQuery.parse({ limit: "2" }));
    expect(first.items.map((r) => r.id)).toEqual(["run_e", "run_d"]);
    const second = await runsPage(
      t.db(),
      runsQuery.parse({ limit: "2", cursor: first.nextCursor }),
    );
    expect(second.items.map((r) => r.id)).toEqual(["run_c", "run_b"]);
    const third = await runsPage(
      t.db(),
      runsQuery.parse({ limit: "2", cursor: second.nextCursor }),
    );
    expect(third).toMatchObject({ nextCursor: null });
    expect(third.items.map((r) => r.id)).toEqual(["run_a"]);

    expect(runsQuery.safeParse({ job: "x" }).success).toBe(false);
    const error = await runsPage(t.db(), runsQuery.parse({ cursor: "bm9wZQ" })).catch((e) => e);
    expect(isAppError(error) && error.code).toBe("bad_request");
  });

  it("one run as plain data, or null", async () => {
    await run("run_a", "billing:charge", "completed", 5);
    expect(await runDetail(t.db(), "run_a")).toMatchObject({
      id: "run_a",
      job: "billing:charge",
      status: "completed",
      claimed: 3,
      summary: { charged: 2 },
      startedAt: "2026-12-01T07:55:00.000Z",
      finishedAt: "2026-12-01T07:55:01.500Z",
    });
    expect(await runDetail(t.db(), "run_nope")).toBeNull();
  });
});
