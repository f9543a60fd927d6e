import { describe, expect, it } from "vitest";
import { EnvError, resolveEnv } from "./env";
import { configOrExit, type StartupIo } from "./startup";

class Exited extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

function fakeIo() {
  const lines: string[] = [];
  const io: StartupIo = {
    error: (message) => void lines.push(message),
    exit: (code) => {
      throw new Exited(code);
    },
  };
  return { io, lines };
}

describe("configOrExit", () => {
  it("returns the configuration when it is valid", () => {
    const { io, lines } = fakeIo();
    const env = configOrExit(
      () => resolveEnv({}, { loadOrCreateSecret: () => "s".repeat(32) }),
      io,
    );
    expect(env.isSandbox).toBe(true);
    expect(lines).toEqual([]);
  });

  it("exits with 1 and names every problem of an invalid live configuration", () => {
    const { io, lines } = fakeIo();
    let exited: unknown;
    try {
      configOrExit(() => resolveEnv({ PAYMENTS_MODE: "live", PORT: "nope" }), io);
    } catch (error) {
      exited = error;
    }
    expect(exited).toBeInstanceOf(Exited);
    expect((exited as Exited).code).toBe(1);
    expect(lines).toHaveLength(1);
    for (const name of ["PORT", "AUTH_SECRET", "DATABASE_URL", "YOUZAN_CLIENT_ID", "APP_URL"]) {
      expect(lines[0]).toContain(name);
    }
  });

  it("exits on an error from another bundle's EnvError (by shape) and on any other error", () => {
    const { io, lines } = fakeIo();
    const foreign = Object.assign(new Error("x"), { problems: ["CRON_SECRET: too short"] });
    expect(() =>
      configOrExit(() => {
        throw foreign;
      }, io),
    ).toThrow(Exited);
    expect(() =>
      configOrExit(() => {
        throw new EnvError(["a"]);
      }, io),
    ).toThrow(Exited);
    expect(() =>
      configOrExit(() => {
        throw new Error("disk full");
      }, io),
    ).toThrow(Exited);
    expect(lines[0]).toContain("CRON_SECRET: too short");
    expect(lines[2]).toContain("disk full");
  });
});
