import { describe, expect, it } from "vitest";
import { summaryCounts } from "./runs";

describe("summaryCounts", () => {
  it("lists a summary's numbers, known counters first, without batches", () => {
    expect(
      summaryCounts({
        phase: "charge",
        runId: "run_1",
        zeta: 1,
        declined: 2,
        processed: 5,
        charged: 3,
        batches: 4,
        hasMore: false,
        wouldDo: { due: 2 },
      }),
    ).toEqual([
      { key: "processed", value: 5 },
      { key: "charged", value: 3 },
      { key: "declined", value: 2 },
      { key: "zeta", value: 1 },
    ]);
    expect(summaryCounts({ inboxPruned: 2, checked: 1 })).toEqual([
      { key: "inboxPruned", value: 2 },
      { key: "checked", value: 1 },
    ]);
    expect(summaryCounts(null)).toEqual([]);
    expect(summaryCounts([1, 2])).toEqual([]);
    expect(summaryCounts("text")).toEqual([]);
  });
});
