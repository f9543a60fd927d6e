import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadMessages, MESSAGE_PARTS, mergeMessages, type Messages } from "@/i18n/catalog";
import { DEFAULT_LOCALE, LOCALES, pick, toLocale, type Locale } from "@/i18n/locales";
import { signInSchema, signUpSchema } from "@/lib/auth/schemas";

function file(name: string): Messages {
  return JSON.parse(readFileSync(path.join(process.cwd(), "messages", name), "utf8")) as Messages;
}

/** Each messages file of a locale, by the name it has without the locale. */
function filesOf(locale: Locale): [string, Messages][] {
  return [
    ["shop", file(`${locale}.json`)],
    ...MESSAGE_PARTS.map((part): [string, Messages] => [part, file(`${part}.${locale}.json`)]),
  ];
}

// What i18n/request.ts serves: every file of the locale merged.
const MESSAGES: Record<Locale, Messages> = {
  "zh-CN": await loadMessages("zh-CN"),
  en: await loadMessages("en"),
};
const zhCN = MESSAGES["zh-CN"];
const en = MESSAGES.en;

/** Every leaf of a messages tree as `[dotted.path, value]`. */
function leaves(tree: unknown, prefix = ""): [string, unknown][] {
  if (typeof tree !== "object" || tree === null || Array.isArray(tree)) return [[prefix, tree]];
  return Object.entries(tree).flatMap(([key, value]) =>
    leaves(value, prefix ? `${prefix}.${key}` : key),
  );
}

function lookup(tree: unknown, dotted: string): unknown {
  let node: unknown = tree;
  for (const key of dotted.split(".")) {
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** ICU argument names used in a message, e.g. `{days}` → `days`. */
function argumentsOf(message: string): string[] {
  return [...message.matchAll(/\{\s*(\w+)/g)].map((m) => m[1]!).sort();
}

/** Every code the auth schemas produce for a range of bad input. */
function schemaCodes(): Set<string> {
  const codes = new Set<string>();
  const badInputs: unknown[] = [
    {},
    { email: null, password: null, name: null },
    { email: 1, password: 1, name: 1 },
    { email: "", password: "" },
    { email: "   ", password: "short", name: "n".repeat(51) },
    { email: "not-an-email", password: "x".repeat(129), name: [] },
    { email: `${"a".repeat(250)}@example.com`, password: "x" },
    { email: "a@", password: "1234567", name: {} },
  ];
  for (const schema of [signUpSchema, signInSchema]) {
    for (const input of badInputs) {
      const result = schema.safeParse(input);
      if (result.success) expect.fail(`expected ${JSON.stringify(input)} to be rejected`);
      for (const issue of result.error.issues) codes.add(issue.message);
    }
  }
  return codes;
}

describe("messages files", () => {
  it("are both present for every locale", () => {
    expect(Object.keys(MESSAGES).sort()).toEqual([...LOCALES].sort());
  });

  it("i18n/catalog serves every file of the locale merged", () => {
    for (const locale of LOCALES) {
      const files = filesOf(locale);
      const served = new Set(leaves(MESSAGES[locale]).map(([key]) => key));
      for (const [name, tree] of files) {
        for (const [key] of leaves(tree)) expect(served.has(key), `${name}: ${key}`).toBe(true);
      }
    }
  });

  it("no two files define the same key", () => {
    for (const locale of LOCALES) {
      const owner = new Map<string, string>();
      for (const [name, tree] of filesOf(locale)) {
        for (const [key] of leaves(tree)) {
          expect(owner.get(key), `${locale}: ${key} in ${name}`).toBeUndefined();
          owner.set(key, name);
        }
      }
    }
  });

  it("mergeMessages merges namespaces and keeps the first value of a key", () => {
    expect(
      mergeMessages([{ a: { b: "1" }, c: "x" }, { a: { d: "2" }, c: "y" }, { a: { b: "3" } }]),
    ).toEqual({ a: { b: "1", d: "2" }, c: "x" });
  });

  it("each file has the same key paths in zh-CN and en", () => {
    const en = new Map(filesOf("en"));
    for (const [name, zhTree] of filesOf("zh-CN")) {
      const zhKeys = leaves(zhTree).map(([key]) => key);
      const enKeys = leaves(en.get(name)).map(([key]) => key);
      expect([...enKeys].sort(), name).toEqual([...zhKeys].sort());
    }
  });

  it("zh-CN and en have exactly the same key paths", () => {
    const zhKeys = leaves(zhCN).map(([key]) => key);
    const enKeys = leaves(en).map(([key]) => key);
    expect(zhKeys.length).toBeGreaterThan(50);
    expect([...enKeys].sort()).toEqual([...zhKeys].sort());
  });

  it.each(LOCALES)("%s has only non-empty string leaves", (locale) => {
    for (const [key, value] of leaves(MESSAGES[locale])) {
      expect(typeof value, `${locale}: ${key}`).toBe("string");
      expect(String(value).trim(), `${locale}: ${key}`).not.toBe("");
    }
  });

  it("use the same ICU arguments in both languages", () => {
    for (const [key, zhValue] of leaves(zhCN)) {
      const enValue = lookup(en, key);
      expect(argumentsOf(String(enValue)), key).toEqual(argumentsOf(String(zhValue)));
    }
  });

  it("zh-CN is actually Chinese and en is not", () => {
    expect(lookup(zhCN, "nav.signIn")).toMatch(/[\u4e00-\u9fff]/);
    expect(lookup(en, "nav.signIn")).not.toMatch(/[\u4e00-\u9fff]/);
  });
});

describe("field error codes", () => {
  it("the schemas produce the documented codes", () => {
    const codes = schemaCodes();
    for (const code of [
      "email.required",
      "email.invalid",
      "password.required",
      "password.too_short",
      "password.too_long",
      "name.invalid",
      "name.too_long",
    ]) {
      expect(codes.has(code), code).toBe(true);
    }
  });

  it.each(LOCALES)("every code has a translation under fieldErrors in %s", (locale) => {
    const codes = [...schemaCodes(), "email.taken"];
    for (const code of codes) {
      expect(code).toMatch(/^[a-z_]+\.[a-z_]+$/);
      const message = lookup(MESSAGES[locale], `fieldErrors.${code}`);
      expect(typeof message, `${locale}: fieldErrors.${code}`).toBe("string");
    }
  });

  it("auth.errors covers every sign-in form error", () => {
    for (const locale of LOCALES) {
      for (const key of ["invalid", "rate_limited", "generic"]) {
        expect(typeof lookup(MESSAGES[locale], `auth.errors.${key}`), `${locale}: ${key}`).toBe(
          "string",
        );
      }
    }
  });
});

describe("toLocale", () => {
  it.each(LOCALES)("keeps the supported locale %s", (locale) => {
    expect(toLocale(locale)).toBe(locale);
  });

  it.each([
    ["an unsupported locale", "fr"],
    ["a differently cased locale", "EN"],
    ["a region variant", "en-US"],
    ["zh without a region", "zh"],
    ["an empty string", ""],
    ["undefined", undefined],
    ["null", null],
    ["a number", 1],
    ["an array of a locale", ["en"]],
  ])("falls back to zh-CN for %s", (_label, value) => {
    expect(toLocale(value)).toBe("zh-CN");
  });

  it("zh-CN is the default", () => {
    expect(DEFAULT_LOCALE).toBe("zh-CN");
  });
});

describe("pick", () => {
  it("picks the English column only for en", () => {
    expect(pick("en", "电子书", "E-book")).toBe("E-book");
    expect(pick("zh-CN", "电子书", "E-book")).toBe("电子书");
  });

  it("works with any value type and keeps identity", () => {
    const zh = { title: "会员" };
    const enRow = { title: "Membership" };
    expect(pick("zh-CN", zh, enRow)).toBe(zh);
    expect(pick("en", zh, enRow)).toBe(enRow);
    expect(pick("en", 1, 2)).toBe(2);
  });
});
