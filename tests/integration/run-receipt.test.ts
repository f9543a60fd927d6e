import { describe, expect, it } from "vitest";
import { findRun, listRuns } from "@/db/queries/billing-runs";
import { withRunReceipt } from "@/lib/jobs/run-receipt";
import { withTestDatabase } from "../helpers/db";

const t = withTestDatabase();

function clock(...instants: string[]) {
  let i = 0;
  return async () => new Date(instants[Math.min(i++, instants.length - 1)]!);
}

describe("withRunReceipt", () => {
  it("a completed run leaves its totals, summary and the shop's start and finish times", async () => {
    const deps = { db: t.db(), now: clock("2026-11-30T01:00:00Z", "2026-11-30T01:00:07Z") };
    const result = await withRunReceipt(
      deps,
      { name: "test.job", initial: { done: 0 } },
      async (run) => {
        // The receipt exists while the run works: another instance can see it is running.
        expect((await findRun(t.db(), run.id))?.status).toBe("running");
        return { summary: { done: 3 }, totals: { claimed: 4, succeeded: 3, failed: 1 } };
      },
    );
    expect(result).toEqual({ done: 3, runId: expect.stringMatching(/^run_/) });
    expect(await findRun(t.db(), result.runId)).toMatchObject({
      job: "test.job",
      status: "completed",
      dryRun: false,
      claimed: 4,
      succeeded: 3,
      failed: 1,
      summary: { done: 3 },
      error: null,
      startedAt: new Date("2026-11-30T01:00:00Z"),
      finishedAt: new Date("2026-11-30T01:00:07Z"),
    });
  });

  it("a failing run is recorded as failed with the progress it made, and the error is re-thrown", async () => {
    const deps = { db: t.db(), now: clock("2026-11-30T01:00:00Z") };
    await expect(
      withRunReceipt(
        deps,
        { name: "test.job", dryRun: true, initial: { done: 0 } },
        async (run) => {
          run.summary = { done: 2 };
          throw new Error("the provider went away");
        },
      ),
    ).rejects.toThrow("the provider went away");
    const [run] = await listRuns(t.db());
    expect(run).toMatchObject({
      job: "test.job",
      status: "failed",
      dryRun: true,
      summary: { done: 2 },
      error: expect.stringContaining("the provider went away"),
    });
    expect(run?.finishedAt).not.toBeNull();
  });
});
