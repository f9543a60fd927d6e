import { describe, expect, it } from "vitest";
import en from "@/messages/sandbox.en.json";
import zhCN from "@/messages/sandbox.zh-CN.json";
import { PAY_METHODS, type PayPageError } from "./pay-page";

function leaves(tree: unknown, prefix = ""): [string, unknown][] {
  if (typeof tree !== "object" || tree === null || Array.isArray(tree)) return [[prefix, tree]];
  return Object.entries(tree).flatMap(([key, value]) =>
    leaves(value, prefix ? `${prefix}.${key}` : key),
  );
}

const args = (message: unknown) =>
  [...String(message).matchAll(/\{\s*(\w+)/g)].map((m) => m[1]).sort();

describe("sandbox messages", () => {
  const zh = new Map(leaves(zhCN));
  const english = new Map(leaves(en));

  it("zh-CN and en have the same keys, all non-empty strings with the same arguments", () => {
    expect([...english.keys()].sort()).toEqual([...zh.keys()].sort());
    for (const [key, value] of zh) {
      expect(typeof value, key).toBe("string");
      expect(String(value).trim(), key).not.toBe("");
      expect(typeof english.get(key), key).toBe("string");
      expect(args(english.get(key)), key).toEqual(args(value));
    }
    expect(zh.get("sandbox.youzan.pay.pay")).toMatch(/[\u4e00-\u9fff]/);
    expect(english.get("sandbox.youzan.pay.pay")).not.toMatch(/[\u4e00-\u9fff]/);
  });

  it("every pay method and page error has a label", () => {
    const errors: PayPageError[] = ["invalid_amount", "closed", "failed"];
    for (const key of [
      ...PAY_METHODS.map((m) => `methods.${m}`),
      ...errors.map((e) => `errors.${e}`),
    ]) {
      expect(zh.has(`sandbox.youzan.pay.${key}`), key).toBe(true);
    }
  });
});
