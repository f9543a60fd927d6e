import { describe, expect, it } from "vitest";
import {
  PASSWORD_MAX,
  PASSWORD_MIN,
  safeCallbackPath,
  signInSchema,
  signUpSchema,
} from "@/lib/auth/schemas";

type Codes = Record<string, string[]>;

/** The codes of a failed parse, by top-level field (all of them, in zod's order). */
function codesOf(schema: typeof signUpSchema | typeof signInSchema, input: unknown): Codes {
  const result = schema.safeParse(input);
  if (result.success) return expect.fail(`expected ${JSON.stringify(input)} to be rejected`);
  const codes: Codes = {};
  for (const issue of result.error.issues) {
    const key = String(issue.path[0] ?? "_");
    (codes[key] ??= []).push(issue.message);
  }
  return codes;
}

const VALID = { email: "buyer@example.com", password: "password1" };

describe("signUpSchema", () => {
  it("accepts a minimal valid sign-up", () => {
    expect(signUpSchema.parse(VALID)).toEqual({ ...VALID, name: undefined });
  });

  it("trims and lower-cases the email", () => {
    const parsed = signUpSchema.parse({ ...VALID, email: "  Buyer.Name@Example.COM \n" });
    expect(parsed.email).toBe("buyer.name@example.com");
  });

  it("trims the name and drops an empty one", () => {
    expect(signUpSchema.parse({ ...VALID, name: "  小明  " }).name).toBe("小明");
    expect(signUpSchema.parse({ ...VALID, name: "" }).name).toBeUndefined();
    expect(signUpSchema.parse({ ...VALID, name: "   " }).name).toBeUndefined();
  });

  it("does not trim or otherwise change the password", () => {
    expect(signUpSchema.parse({ ...VALID, password: "  spaced  " }).password).toBe("  spaced  ");
  });

  it.each([
    ["a missing email", { password: VALID.password }, "email.required"],
    ["an empty email", { ...VALID, email: "" }, "email.required"],
    ["a blank email", { ...VALID, email: "   " }, "email.required"],
    ["a non-string email", { ...VALID, email: 42 }, "email.required"],
    ["an email without @", { ...VALID, email: "buyer.example.com" }, "email.invalid"],
    ["an email without a domain", { ...VALID, email: "buyer@" }, "email.invalid"],
    ["an email with a space inside", { ...VALID, email: "bu yer@example.com" }, "email.invalid"],
    [
      "an email of 255 characters",
      { ...VALID, email: `${"a".repeat(243)}@example.com` },
      "email.invalid",
    ],
  ])("rejects %s with exactly the code %s", (_label, input, code) => {
    expect(codesOf(signUpSchema, input)).toEqual({ email: [code] });
  });

  it.each([
    ["a missing password", { email: VALID.email }, "password.required"],
    ["a non-string password", { ...VALID, password: 12345678 }, "password.required"],
    ["an empty password", { ...VALID, password: "" }, "password.too_short"],
    ["a 7-character password", { ...VALID, password: "1234567" }, "password.too_short"],
    ["a 129-character password", { ...VALID, password: "x".repeat(129) }, "password.too_long"],
  ])("rejects %s with exactly the code %s", (_label, input, code) => {
    expect(codesOf(signUpSchema, input)).toEqual({ password: [code] });
  });

  it.each([
    ["a 51-character name", { ...VALID, name: "n".repeat(51) }, "name.too_long"],
    [
      "a 51-character name after trimming",
      { ...VALID, name: ` ${"名".repeat(51)} ` },
      "name.too_long",
    ],
    ["a non-string name", { ...VALID, name: 7 }, "name.invalid"],
    ["a null name", { ...VALID, name: null }, "name.invalid"],
  ])("rejects %s with exactly the code %s", (_label, input, code) => {
    expect(codesOf(signUpSchema, input)).toEqual({ name: [code] });
  });

  it("accepts the boundaries", () => {
    expect(signUpSchema.safeParse({ ...VALID, password: "x".repeat(PASSWORD_MIN) }).success).toBe(
      true,
    );
    expect(signUpSchema.safeParse({ ...VALID, password: "x".repeat(PASSWORD_MAX) }).success).toBe(
      true,
    );
    expect(signUpSchema.safeParse({ ...VALID, name: "n".repeat(50) }).success).toBe(true);
    expect(signUpSchema.safeParse({ ...VALID, name: ` ${"n".repeat(50)} ` }).success).toBe(true);
    const email254 = `${"a".repeat(242)}@example.com`;
    expect(email254).toHaveLength(254);
    expect(signUpSchema.safeParse({ ...VALID, email: email254 }).success).toBe(true);
  });

  it("reports every bad field at once", () => {
    expect(
      codesOf(signUpSchema, { email: "nope", password: "short", name: "n".repeat(51) }),
    ).toEqual({
      email: ["email.invalid"],
      password: ["password.too_short"],
      name: ["name.too_long"],
    });
    expect(codesOf(signUpSchema, {})).toEqual({
      email: ["email.required"],
      password: ["password.required"],
    });
  });

  it("only ever produces `field.problem` codes", () => {
    const bad: unknown[] = [
      {},
      { email: null, password: null, name: null },
      { email: "", password: "", name: "x".repeat(60) },
      { email: [], password: {}, name: false },
      { email: "@", password: "x".repeat(500) },
    ];
    for (const input of bad) {
      for (const list of Object.values(codesOf(signUpSchema, input))) {
        for (const code of list) expect(code).toMatch(/^(email|password|name)\.[a-z_]+$/);
      }
    }
  });

  it("exposes the documented limits", () => {
    expect(PASSWORD_MIN).toBe(8);
    expect(PASSWORD_MAX).toBe(128);
  });
});

describe("signInSchema", () => {
  it("accepts and normalises the email", () => {
    expect(signInSchema.parse({ email: " Buyer@Example.com ", password: "x" })).toEqual({
      email: "buyer@example.com",
      password: "x",
    });
  });

  it.each([
    [{ email: "", password: "x" }, { email: ["email.required"] }],
    [{ email: "nope", password: "x" }, { email: ["email.invalid"] }],
    [{ email: VALID.email, password: "" }, { password: ["password.required"] }],
    [{ email: VALID.email }, { password: ["password.required"] }],
  ])("rejects %j with %j", (input, codes) => {
    expect(codesOf(signInSchema, input)).toEqual(codes);
  });

  it("caps the password length with a code", () => {
    const codes = codesOf(signInSchema, { email: VALID.email, password: "x".repeat(129) });
    expect(Object.keys(codes)).toEqual(["password"]);
    for (const code of codes.password ?? []) expect(code).toMatch(/^password\.[a-z_]+$/);
  });
});

describe("safeCallbackPath", () => {
  it.each(["/", "/account", "/admin?x=1", "/products/e-book#top", "/a/b/../c", "/search?q=//x"])(
    "accepts the same-site path %j",
    (path) => {
      expect(safeCallbackPath(path)).toBe(path);
    },
  );

  it.each([
    "//evil.com",
    "//evil.com/account",
    "/\\evil",
    "/\\evil.com",
    "https://x",
    "http://evil.com/",
    "javascript:alert(1)",
    "evil.com",
    "account",
    "",
    " /account",
    "\\\\evil.com",
  ])("rejects %j", (value) => {
    expect(safeCallbackPath(value)).toBe("/");
    expect(safeCallbackPath(value, "/account")).toBe("/account");
  });

  it.each([
    ["undefined", undefined],
    ["null", null],
    ["a number", 42],
    ["an array", ["/admin"]],
    ["an object", { toString: () => "/admin" }],
    ["a File-like value", new Blob(["/admin"])],
  ])("rejects %s", (_label, value) => {
    expect(safeCallbackPath(value, "/fallback")).toBe("/fallback");
  });

  it("never returns something a browser would resolve to another host", () => {
    for (const value of ["/admin?x=1", "//evil.com", "/\\evil.com", "https://evil.com"]) {
      const resolved = new URL(safeCallbackPath(value), "https://shop.example/");
      expect(resolved.host).toBe("shop.example");
    }
  });

  // KNOWN BUG (reported, not fixed): browsers drop tabs and newlines from URLs, so
  // "/\t/evil.com" reaches the browser as "//evil.com". Remove `.fails` once fixed.
  it("rejects a tab or newline between the slashes", () => {
    for (const value of ["/\t/evil.com", "/\n/evil.com", "/\r\n/evil.com"]) {
      const resolved = new URL(safeCallbackPath(value), "https://shop.example/");
      expect(resolved.host, JSON.stringify(value)).toBe("shop.example");
    }
  });
});
