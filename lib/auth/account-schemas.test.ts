import { describe, expect, it } from "vitest";
import en from "@/messages/en.json";
import zhCN from "@/messages/zh-CN.json";
import { changeNameSchema, changePasswordSchema } from "./schemas";

/** Every code the account page's schemas give for a range of bad input (plus the server's). */
function accountCodes(): Set<string> {
  const codes = new Set<string>(["password.wrong"]);
  const bad: [typeof changePasswordSchema | typeof changeNameSchema, unknown][] = [
    [changePasswordSchema, {}],
    [changePasswordSchema, { currentPassword: "", newPassword: "short", confirmPassword: "x" }],
    [changePasswordSchema, { currentPassword: "x".repeat(129), newPassword: "y".repeat(129) }],
    [changePasswordSchema, { currentPassword: "a", newPassword: "abcdefgh", confirmPassword: "z" }],
    [
      changePasswordSchema,
      { currentPassword: "abcdefgh", newPassword: "abcdefgh", confirmPassword: "abcdefgh" },
    ],
    [changeNameSchema, { name: "n".repeat(51) }],
    [changeNameSchema, { name: 1 }],
  ];
  for (const [schema, input] of bad) {
    const result = schema.safeParse(input);
    if (result.success) expect.fail(`expected ${JSON.stringify(input)} to be rejected`);
    for (const issue of result.error.issues) codes.add(issue.message);
  }
  return codes;
}

const lookup = (tree: unknown, dotted: string) =>
  dotted
    .split(".")
    .reduce<unknown>(
      (node, key) =>
        typeof node === "object" && node !== null
          ? (node as Record<string, unknown>)[key]
          : undefined,
      tree,
    );

describe("account schemas", () => {
  it("produce the documented codes", () => {
    expect([...accountCodes()].sort()).toEqual([
      "name.invalid",
      "name.too_long",
      "password.mismatch",
      "password.required",
      "password.too_long",
      "password.too_short",
      "password.unchanged",
      "password.wrong",
    ]);
  });

  it.each([
    ["zh-CN", zhCN],
    ["en", en],
  ])("every code has a translation under fieldErrors in %s", (_locale, messages) => {
    for (const code of accountCodes()) {
      expect(typeof lookup(messages, `fieldErrors.${code}`), code).toBe("string");
    }
  });

  it("keeps the new password exactly as typed", () => {
    const input = {
      currentPassword: "old",
      newPassword: "  spaced  ",
      confirmPassword: "  spaced  ",
    };
    expect(changePasswordSchema.parse(input).newPassword).toBe("  spaced  ");
  });
});
