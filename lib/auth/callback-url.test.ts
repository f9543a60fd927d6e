import { describe, expect, it } from "vitest";
import { sanitizeAuthRequest } from "./callback-url";

const base = "http://shop.example/api/auth/signin";

describe("sanitizeAuthRequest", () => {
  it("drops a callbackUrl next-auth cannot parse from the query, the form and the cookie", async () => {
    const request = new Request(`${base}?callbackUrl=a&x=1`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie:
          "a=1; authjs.callback-url=a; __Secure-authjs.callback-url=https%3A%2F%2Fevil.example",
      },
      body: "csrfToken=t&callbackUrl=https%3A%2F%2Fevil.example",
    });
    const clean = await sanitizeAuthRequest(request);
    const url = new URL(clean.url);
    expect(url.searchParams.get("callbackUrl")).toBeNull();
    expect(url.searchParams.get("x")).toBe("1");
    expect(clean.headers.get("cookie")).toBe("a=1");
    expect(Object.fromEntries(new URLSearchParams(await clean.text()))).toEqual({ csrfToken: "t" });
  });

  it("keeps same-site paths untouched", async () => {
    const request = new Request(`${base}?callbackUrl=%2Faccount`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        cookie: "authjs.callback-url=%2Forders",
      },
      body: JSON.stringify({ csrfToken: "t", callbackUrl: "/checkout/XP1" }),
    });
    const clean = await sanitizeAuthRequest(request);
    expect(new URL(clean.url).searchParams.get("callbackUrl")).toBe("/account");
    expect(clean.headers.get("cookie")).toBe("authjs.callback-url=%2Forders");
    expect(await clean.json()).toEqual({ csrfToken: "t", callbackUrl: "/checkout/XP1" });
  });

  it("drops a bad JSON callbackUrl and leaves malformed bodies to next-auth", async () => {
    const json = (body: string) =>
      sanitizeAuthRequest(
        new Request(base, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        }),
      );
    expect(await (await json('{"callbackUrl":"//evil.example","a":1}')).json()).toEqual({ a: 1 });
    expect(await (await json('{"callbackUrl":7}')).json()).toEqual({});
    expect(await (await json("{broken")).text()).toBe("{broken");
  });

  it("a GET keeps its method and has no body", async () => {
    const clean = await sanitizeAuthRequest(new Request(`${base}?callbackUrl=%0d%0a`));
    expect(clean.method).toBe("GET");
    expect(clean.body).toBeNull();
    expect(new URL(clean.url).search).toBe("");
  });
});
