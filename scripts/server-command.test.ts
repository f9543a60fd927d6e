import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { serverEnv, serverNodeArgs, START_SCRIPT } from "./server-command";

describe("the production server's command", () => {
  it("npm start runs server.mjs with the heap the launchers of tests and benches use", () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { scripts: { start: string } };
    expect(pkg.scripts.start).toBe(START_SCRIPT);
  });

  it("takes the heap from SERVER_HEAP_MB, else 192 MB, and puts extra flags first", () => {
    expect(serverNodeArgs({})).toEqual([
      "--max-old-space-size=192",
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
        [
          "-c",
          `set -- ${START_SCRIPT.replace(/^.*&& MALLOC_ARENA_MAX=\S+ node /, "")}; printf '%s\\n' "$@"`,
        ],
        { env: { ...process.env, SERVER_HEAP_MB: "", ...env }, encoding: "utf8" },
      )
        .trim()
        .split("\n");
    expect(argsOf({})).toEqual(serverNodeArgs({}));
    expect(argsOf({ SERVER_HEAP_MB: "256" })).toEqual(serverNodeArgs({ SERVER_HEAP_MB: "256" }));
  });

  it("starts the server with two malloc arenas unless the environment says otherwise, as npm start does", () => {
    // What the shell of npm start puts in node's environment, the part before `node`.
    const arenasOf = (env: Record<string, string>) =>
      execFileSync(
        "sh",
        [
          "-c",
          `${START_SCRIPT.replace(/^.*&& (MALLOC_ARENA_MAX=\S+) node .*$/, "$1")} sh -c 'printf %s "$MALLOC_ARENA_MAX"'`,
        ],
        { env: { ...process.env, MALLOC_ARENA_MAX: "", ...env }, encoding: "utf8" },
      );
    expect(arenasOf({})).toBe("2");
    expect(arenasOf({ MALLOC_ARENA_MAX: "4" })).toBe("4");
    expect(serverEnv({}).MALLOC_ARENA_MAX).toBe(arenasOf({}));
    expect(serverEnv({ MALLOC_ARENA_MAX: "4", PORT: "1" })).toEqual({
      MALLOC_ARENA_MAX: "4",
      PORT: "1",
    });
    expect(serverEnv({ MALLOC_ARENA_MAX: " " }).MALLOC_ARENA_MAX).toBe("2");
  });
});
