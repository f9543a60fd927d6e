import { readFileSync } from "node:fs";
import path from "node:path";

/*
 * The recorded provider payloads of lib/payments/youzan/__fixtures__, read as data. The client's
 * transform test parses them; the sandbox tests compare what the sandbox emits with them key by
 * key, so a misreading of the spec in either side shows up as a difference.
 */

const FIXTURES = path.resolve(import.meta.dirname, "../../lib/payments/youzan/__fixtures__");

export function loadFixture(name: string): unknown {
  return JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), "utf8")) as unknown;
}

function kind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/**
 * Where `actual` differs in shape from `expected`: the same keys at every level and the same
 * JSON type at every leaf (values may differ). Every element of an array must have the shape of
 * the fixture's first element; an empty fixture array only says "an array".
 */
export function shapeDifferences(actual: unknown, expected: unknown, at = "$"): string[] {
  const [a, e] = [kind(actual), kind(expected)];
  if (a !== e) return [`${at}: ${a} where the fixture has ${e}`];
  if (e === "array") {
    const [template] = expected as unknown[];
    if (template === undefined) return [];
    return (actual as unknown[]).flatMap((item, i) =>
      shapeDifferences(item, template, `${at}[${i}]`),
    );
  }
  if (e !== "object") return [];
  const actualRecord = actual as Record<string, unknown>;
  const expectedRecord = expected as Record<string, unknown>;
  const missing = Object.keys(expectedRecord)
    .filter((key) => !Object.hasOwn(actualRecord, key))
    .map((key) => `${at}.${key}: missing`);
  const extra = Object.keys(actualRecord)
    .filter((key) => !Object.hasOwn(expectedRecord, key))
    .map((key) => `${at}.${key}: not in the fixture`);
  const nested = Object.keys(expectedRecord)
    .filter((key) => Object.hasOwn(actualRecord, key))
    .flatMap((key) => shapeDifferences(actualRecord[key], expectedRecord[key], `${at}.${key}`));
  return [...missing, ...extra, ...nested];
}
