import { describe, expect, it } from "vitest";
import { withSandboxHarness } from "../helpers/sandbox-harness";

/*
 * NUL bytes in the sandbox gateway's path or query (issue #7, item 9): PostgreSQL text cannot
 * hold them, so they used to reach the call log and answer 500. They answer 400 now.
 */

const h = withSandboxHarness();
const local = "http://localhost:3000";

describe("the sandbox gateway route and NUL bytes", () => {
  it("answers 4xx, never 500, to a NUL byte in a path segment or a query value", async () => {
    const apiRoute = await import("@/app/sandbox/youzan/api/[...path]/route");
    const token = await h.issueToken();
    const call = (path: string[], query: string, method: "GET" | "POST" = "GET") =>
      apiRoute[method](
        new Request(
          `${local}/sandbox/youzan/api/${path.map(encodeURIComponent).join("/")}?${query}`,
          {
            method,
            headers: method === "POST" ? { "content-type": "application/json" } : {},
            body: method === "POST" ? "{}" : undefined,
          },
        ),
        { params: Promise.resolve({ path }) },
      );

    const cases: [string[], string, "GET" | "POST"][] = [
      [["youzan.trade.get\u0000", "4.0.2"], `access_token=${token}`, "GET"],
      [["youzan.trade.get", "4.0.2\u0000"], `access_token=${token}`, "POST"],
      [["youzan.trade.get", "4.0.2"], `access_token=${token}%00`, "GET"],
      [["youzan.trade.get", "4.0.2"], `access_token=${token}&tid=E1%00`, "GET"],
      [["youzan.trades.qr.get", "3.0.0"], `access_token=${token}&qr_id=1%00`, "POST"],
      [["youzan.trade.get", "4.0.2"], `access_token=${token}&x%00=1`, "GET"],
    ];
    for (const [path, query, method] of cases) {
      const response = await call(path, query, method);
      expect({ path, query, status: response.status }).toEqual({ path, query, status: 400 });
    }
    // Without the NUL the same calls still reach the gateway.
    const ok = await call(
      ["youzan.trades.qr.get", "3.0.0"],
      `access_token=${token}&qr_id=1`,
      "POST",
    );
    expect(ok.status).toBe(200);
  });
});
