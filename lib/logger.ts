import pino, { type LogFn, type Logger } from "pino";
import { getEnv } from "./env";

/**
 * Structured JSON logs. One child logger per module (`moduleLogger("orders")`); ids go in the
 * context object; secrets, passwords and whole provider payloads never do (redacted below as a
 * second line of defence).
 *
 * Nothing happens at import: modules call `moduleLogger` at their top level, so building the
 * root there would resolve the env (and create `.data/` secrets) whenever any module is merely
 * imported — by a test, a script, `next build`. The root is built by the first log call instead.
 */

let root: Logger | undefined;

function rootLogger(): Logger {
  root ??= pino({
    level: getEnv().logLevel,
    base: { app: "xiaopu" },
    redact: {
      paths: [
        "password",
        "*.password",
        "passwordHash",
        "*.passwordHash",
        "secret",
        "*.secret",
        "authorization",
        "*.authorization",
        "headers.cookie",
      ],
      censor: "[redacted]",
    },
  });
  return root;
}

export type ModuleLogger = Pick<Logger, "debug" | "info" | "warn" | "error">;

/** A logger for `module`; its pino child is created on the first call of any of its methods. */
export function moduleLogger(module: string): ModuleLogger {
  let child: Logger | undefined;
  const level = (name: keyof ModuleLogger): LogFn => {
    // LogFn is an overloaded generic; forwarding the arguments untouched keeps every overload,
    // which a spread of `Parameters<LogFn>` (the last overload only) would not.
    const forward = (...args: unknown[]) => {
      child ??= rootLogger().child({ module });
      (child[name] as (...a: unknown[]) => void).apply(child, args);
    };
    return forward as LogFn;
  };
  return { debug: level("debug"), info: level("info"), warn: level("warn"), error: level("error") };
}
