import { describe, expect, it } from "vitest";
import { unavailablePage, unavailableResponse } from "./unavailable";

const NONCE = "bm9uY2U=";

function request(path: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
  return new Request(`http://shop.test${path}`, init);
}

describe("the 503 answered while the database is down", () => {
  it("a browser navigating to a page gets a page in its language that reloads after Retry-After", async () => {
    const response = unavailableResponse(
      request("/checkout/X1", {
        headers: { accept: "text/html,*/*", cookie: "a=1; NEXT_LOCALE=en" },
      }),
      NONCE,
    );
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await response.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain("Back in a moment");
    expect(html).toContain('<meta http-equiv="refresh" content="5">');
    expect(html).toContain(`<style nonce="${NONCE}">`);
    expect(html).not.toContain("<script");
  });

  it("Chinese unless the visitor chose English", async () => {
    for (const cookie of ["", "NEXT_LOCALE=fr", "XNEXT_LOCALE=en"]) {
      const html = await unavailableResponse(
        request("/", { headers: { accept: "text/html", cookie } }),
        NONCE,
      ).text();
      expect(html, cookie).toContain('<html lang="zh-CN">');
      expect(html).toContain("暂时无法访问");
    }
  });

  it.each([
    ["an API route", "/api/orders", { accept: "text/html" }, "GET"],
    ["a POST", "/products/x", { accept: "text/html" }, "POST"],
    ["a client-side navigation (RSC)", "/products/x", { accept: "text/html", rsc: "1" }, "GET"],
    [
      "a server action",
      "/products/x",
      { accept: "text/x-component", "next-action": "abc" },
      "POST",
    ],
    ["a script", "/", { accept: "application/json" }, "GET"],
  ])("%s gets the JSON error", async (_label, path, headers, method) => {
    const response = unavailableResponse(request(path, { method, headers }), NONCE);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(await response.json()).toEqual({
      error: { code: "service_unavailable", message: expect.stringContaining("database") },
    });
  });

  it("escapes what it writes into the page", () => {
    expect(unavailablePage("en", '"><script>')).toContain('nonce="&quot;&gt;&lt;script&gt;"');
  });
});
