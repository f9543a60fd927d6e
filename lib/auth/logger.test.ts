import { Auth, skipCSRFCheck } from "@auth/core";
import {
  CredentialsSignin,
  InvalidProvider,
  JWTSessionError,
  MissingCSRF,
  UnknownAction,
} from "@auth/core/errors";
import Credentials from "@auth/core/providers/credentials";
import pino from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { authLogger } from "./logger";

/*
 * Issue #10 item 6: a wrong password is the shop working as intended, not a crash. next-auth's
 * own logger prints a red `[auth][error] CredentialsSignin` and a stack trace for each; ours writes
 * one info line through pino. The log is read from pino's destination, as the server writes it.
 */

interface Line {
  level: number;
  msg: string;
  module?: string;
  authError?: string;
  code?: string;
  err?: { stack?: string; message?: string };
  [key: string]: unknown;
}

const INFO = 30;
const WARN = 40;
const ERROR = 50;
const DEBUG = 20;

function capturedLogger() {
  const raw: string[] = [];
  const root = pino({ level: "debug", base: { app: "xiaopu" } }, { write: (s) => raw.push(s) });
  const log = root.child({ module: "auth" });
  return {
    logger: authLogger(log),
    raw,
    lines: () =>
      raw
        .join("")
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Line),
  };
}

afterEach(() => vi.restoreAllMocks());

describe("authLogger", () => {
  it("logs a wrong password as one info line without a stack", () => {
    const { logger, lines, raw } = capturedLogger();
    logger.error(new CredentialsSignin());
    expect(lines()).toEqual([
      expect.objectContaining({
        level: INFO,
        module: "auth",
        msg: "sign-in refused",
        authError: "CredentialsSignin",
        code: "credentials",
      }),
    ]);
    expect(raw.join("")).not.toMatch(/stack|\[auth\]\[error\]|\n\s+at /);
  });

  it("keeps the code of our own sign-in refusals (throttled)", () => {
    class Throttled extends CredentialsSignin {
      override code = "rate_limited";
    }
    const { logger, lines } = capturedLogger();
    logger.error(new Throttled());
    expect(lines()).toEqual([
      expect.objectContaining({
        level: INFO,
        authError: "CredentialsSignin",
        code: "rate_limited",
      }),
    ]);
  });

  it("logs other visitor-caused refusals as info too: no such action, provider or callback", () => {
    const { logger, lines, raw } = capturedLogger();
    logger.error(new UnknownAction("Cannot parse action at /api/auth/nope"));
    logger.error(new InvalidProvider("Callback for provider type (credentials) is not supported"));
    logger.error(new MissingCSRF("CSRF token was missing during an action signin"));
    // What Auth.js throws for /api/auth/signin/nope: a plain Error.
    logger.error(
      new Error('Provider with id "nope" not found. Available providers: [credentials].'),
    );
    expect(lines().map((line) => [line.level, line.authError])).toEqual([
      [INFO, "UnknownAction"],
      [INFO, "InvalidProvider"],
      [INFO, "MissingCSRF"],
      [INFO, "UnknownProvider"],
    ]);
    expect(raw.join("")).not.toMatch(/stack|\n\s+at /);
  });

  it("warns, without a stack, about a session cookie it cannot read", () => {
    const { logger, lines, raw } = capturedLogger();
    // How Auth.js's session action wraps jose's failure.
    const cause = { err: new Error("no matching decryption secret") };
    logger.error(new JWTSessionError("session", { cause }));
    expect(lines()).toEqual([
      expect.objectContaining({
        level: WARN,
        authError: "JWTSessionError",
        reason: "no matching decryption secret",
      }),
    ]);
    expect(raw.join("")).not.toContain("stack");
  });

  it("logs a real error as an error, with the error and its stack", () => {
    const { logger, lines } = capturedLogger();
    logger.error(new TypeError("database went away"));
    const [line] = lines();
    expect(line).toMatchObject({ level: ERROR, msg: "auth error" });
    expect(line?.err?.message).toBe("database went away");
    expect(line?.err?.stack).toContain("TypeError: database went away");
  });

  it("warnings as warn, debug as debug without the request's body, headers or cookies", () => {
    const { logger, lines, raw } = capturedLogger();
    logger.warn("debug-enabled");
    logger.debug("callback route error details", {
      method: "POST",
      body: { email: "a@example.com", password: "hunter2-secret" },
      headers: { cookie: "authjs.session-token=abc" },
      query: {},
    });
    expect(lines()).toEqual([
      expect.objectContaining({ level: WARN, authWarning: "debug-enabled" }),
      expect.objectContaining({
        level: DEBUG,
        msg: "auth: callback route error details",
        details: { method: "POST", query: {} },
      }),
    ]);
    expect(raw.join("")).not.toMatch(/hunter2|session-token/);
  });

  it("is what Auth.js calls for a wrong password, and nothing reaches the console", async () => {
    const consoleError = vi.spyOn(console, "error").mockImplementation(() => {});
    const { logger, lines, raw } = capturedLogger();
    const response = await Auth(
      new Request("http://shop.test/api/auth/callback/credentials", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ email: "a@example.com", password: "wrong" }),
      }),
      {
        secret: "x".repeat(32),
        trustHost: true,
        basePath: "/api/auth",
        skipCSRFCheck,
        pages: { signIn: "/signin" },
        providers: [
          Credentials({ credentials: { email: {}, password: {} }, authorize: () => null }),
        ],
        logger,
      },
    );
    expect(response.headers.get("location")).toContain("error=CredentialsSignin");
    expect(lines()).toEqual([
      expect.objectContaining({ level: INFO, msg: "sign-in refused", code: "credentials" }),
    ]);
    expect(raw.join("")).not.toMatch(/stack|\n\s+at /);
    expect(consoleError).not.toHaveBeenCalled();
  });
});
