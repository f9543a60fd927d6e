import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EDITS, PATCHED_VERSION, patchConnectionSource, patchPostgres } from "./patch-postgres.mjs";

const BUILDS = ["src", "cjs/src", "cf/src"] as const;
const installed = (build: string) =>
  readFileSync(path.join("node_modules/postgres", build, "connection.js"), "utf8");
/** 3.4.9's own text, got back by undoing each edit. */
const unpatched = (source: string) =>
  EDITS.reduce((text, edit) => text.split(edit.to).join(edit.from), source);

describe("the postgres.js repair (scripts/patch-postgres.mjs, run by npm's postinstall)", () => {
  it("is in every build the shop, the tests and the workers load", () => {
    expect(JSON.parse(readFileSync("node_modules/postgres/package.json", "utf8")).version).toBe(
      PATCHED_VERSION,
    );
    for (const build of BUILDS) {
      const source = installed(build);
      for (const edit of EDITS) {
        expect(source.split(edit.to).length - 1, `${build}: ${edit.to.trim()}`).toBe(edit.times);
      }
      // The statement that threw from the timer is guarded.
      expect(source).toMatch(/function nextWrite\(fn\) \{\n {4}if \(!socket\)/);
      expect(patchConnectionSource(source)).toEqual({ source, changed: false });
    }
  });

  it("edits 3.4.9's text into exactly the installed one, and nothing else", () => {
    for (const build of BUILDS) {
      const source = installed(build);
      const original = unpatched(source);
      expect(original).not.toContain("xiaopu");
      const result = patchConnectionSource(original);
      expect(result).toEqual({ source, changed: true });
    }
  });

  it("completes a copy an earlier version of the repair left with fewer edits", () => {
    for (const build of BUILDS) {
      const source = installed(build);
      const last = EDITS.at(-1)!;
      const partly = source.split(last.to).join(last.from);
      expect(partly).not.toBe(source);
      expect(patchConnectionSource(partly)).toEqual({ source, changed: true });
    }
  });

  it("refuses a text it was not written for, and another version of postgres", () => {
    const original = unpatched(installed("src"));
    const changed = original.replace("    clearImmediate(nextWriteTimer)\n", "");
    expect(() => patchConnectionSource(changed)).toThrow(/1 times, not 2/);

    const root = mkdtempSync(path.join(tmpdir(), "patch-postgres-"));
    const dir = path.join(root, "node_modules/postgres");
    mkdirSync(path.join(dir, "src"), { recursive: true });
    writeFileSync(path.join(dir, "package.json"), JSON.stringify({ version: "3.5.0" }));
    expect(() => patchPostgres(root)).toThrow(/postgres 3\.5\.0 is installed/);
  });

  it("repairs an installed copy once; a second install changes nothing", () => {
    const root = mkdtempSync(path.join(tmpdir(), "patch-postgres-"));
    const dir = path.join(root, "node_modules/postgres");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "package.json"), JSON.stringify({ version: PATCHED_VERSION }));
    for (const build of BUILDS) {
      mkdirSync(path.join(dir, build), { recursive: true });
      writeFileSync(path.join(dir, build, "connection.js"), unpatched(installed(build)));
    }
    expect(patchPostgres(root)).toEqual(
      BUILDS.map((build) => path.join("node_modules/postgres", build, "connection.js")),
    );
    for (const build of BUILDS) {
      expect(readFileSync(path.join(dir, build, "connection.js"), "utf8")).toBe(installed(build));
    }
    expect(patchPostgres(root)).toEqual([]);
  });
});
