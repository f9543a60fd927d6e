import { describe, expect, it } from "vitest";
import { brokenResponse, httpsRedirect } from "./transport";

describe("transport faults", () => {
  it("redirects http to https, keeping path and query", () => {
    const response = httpsRedirect(
      new URL("http://localhost:3000/sandbox/youzan/api/youzan.trade.get/4.0.2?access_token=a"),
    );
    expect(response.status).toBe(301);
    expect(response.headers.get("location")).toBe(
      "https://localhost:3000/sandbox/youzan/api/youzan.trade.get/4.0.2?access_token=a",
    );
  });

  it.each([
    ["http500", 500],
    ["http502", 502],
    ["http503", 503],
  ] as const)("%s answers HTTP %i with an HTML page", async (kind, status) => {
    const response = brokenResponse(kind);
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    await expect(response.text()).resolves.toContain(String(status));
  });

  it("an empty 200 and a non-JSON 200", async () => {
    const empty = brokenResponse("empty");
    expect([empty.status, await empty.text()]).toEqual([200, ""]);
    const html = brokenResponse("nonJson");
    expect(html.status).toBe(200);
    const text = await html.text();
    expect(() => JSON.parse(text) as unknown).toThrow(SyntaxError);
  });
});
