import { describe, expect, it } from "vitest";
import { authPageHref, landingPath, returnPathFor } from "./return-to";

describe("landingPath", () => {
  it("sends the owner to the admin area and a buyer to the account page", () => {
    expect(landingPath("admin")).toBe("/admin");
    expect(landingPath("buyer")).toBe("/account");
  });
});

describe("returnPathFor", () => {
  it.each([
    ["/products/e-book", "", "/products/e-book"],
    ["/products/e-book", "?ref=wechat", "/products/e-book?ref=wechat"],
    ["/account/orders", "", "/account/orders"],
    ["/checkout/XP1", "", "/checkout/XP1"],
  ])("comes back to %s%s", (pathname, search, expected) => {
    expect(returnPathFor(pathname, search)).toBe(expected);
  });

  it("from the home page, leaves the choice to the role's landing page", () => {
    expect(returnPathFor("/")).toBeUndefined();
    expect(returnPathFor("/", "?x=1")).toBeUndefined();
  });

  it("from the sign-in and sign-up pages, keeps the callbackUrl they carry", () => {
    expect(returnPathFor("/signin", "?callbackUrl=%2Fproducts%2Fe-book")).toBe("/products/e-book");
    expect(returnPathFor("/signup", "?callbackUrl=%2Fadmin%3Fx%3D1")).toBe("/admin?x=1");
    expect(returnPathFor("/signin")).toBeUndefined();
    expect(returnPathFor("/signup", "?callbackUrl=%2F%2Fevil.example")).toBeUndefined();
  });

  it("never returns a path that leaves the site", () => {
    expect(returnPathFor("//evil.example")).toBeUndefined();
    expect(returnPathFor("/\\evil.example")).toBeUndefined();
  });
});

describe("authPageHref", () => {
  it("carries the return path, encoded", () => {
    expect(authPageHref("/signin", "/products/e-book?ref=a&b=c")).toBe(
      "/signin?callbackUrl=%2Fproducts%2Fe-book%3Fref%3Da%26b%3Dc",
    );
    expect(authPageHref("/signup")).toBe("/signup");
  });
});
