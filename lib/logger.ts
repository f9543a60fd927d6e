import pino from "pino";
import { getEnv } from "./env";

/**
 * Structured JSON logs. One child logger per module (`logger.child({ module })`); ids go in the
 * context object; secrets, passwords and whole provider payloads never do (redacted below as a
 * second line of defence).
 */
export const logger = pino({
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

export function moduleLogger(module: string) {
  return logger.child({ module });
}
