import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { serverNodeArgs, START_SCRIPT } from "./server-command";

describe("the production server's command", () => {
  it("npm start runs server.mjs with the heap the launchers of tests and benches use", () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { scripts: { start: string } };
    expect(pkg.scripts.start).toBe(START_SCRIPT);
  });

  it("takes the heap from SERVER_HEAP_MB, else 160 MB, and puts extra flags first", () => {
    expect(serverNodeArgs({})).toEqual([
      "--max-old-space-size=160",
      "--max-semi-space-size=8",
      "--no-maglev",
      "server.mjs",
    ]);
    expect(serverNodeArgs({ SERVER_HEAP_MB: "384" }, ["--cpu-prof"])).toEqual([
      "--cpu-prof",
      "--max-old-space-size=384",
      "--max-semi-space-size=8",
      "--no-maglev",
      "server.mjs",
    ]);
  });

  it("the shell of npm start gives the same arguments (default and SERVER_HEAP_MB)", () => {
    const argsOf = (env: Record<string, string>) =>
      execFileSync(
        "sh",
        ["-c", `set -- ${START_SCRIPT.replace(/^.*&& node /, "")}; printf '%s\\n' "$@"`],
        { env: { ...process.env, SERVER_HEAP_MB: "", ...env }, encoding: "utf8" },
      )
        .trim()
        .split("\n");
    expect(argsOf({})).toEqual(serverNodeArgs({}));
    expect(argsOf({ SERVER_HEAP_MB: "256" })).toEqual(serverNodeArgs({ SERVER_HEAP_MB: "256" }));
  });
});
