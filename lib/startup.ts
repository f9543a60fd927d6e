import path from "node:path";
import { hasErrorCode, isDatabaseUnavailable, MIGRATIONS_BEHIND } from "@/db/errors";
import type { Env } from "./env";

/**
 * Start-up checks that must stop the process, not just fail a request: a supervisor (systemd,
 * Docker, the platform) only sees a failure when the process exits non-zero. Next catches what
 * `register()` throws and keeps serving, so the exit is explicit.
 */

export interface StartupIo {
  /** Where the problems are written (stderr). */
  error(message: string): void;
  /** Ends the process (process.exit); injected by tests. */
  exit(code: number): never;
}

const processIo: StartupIo = {
  error: (message) => process.stderr.write(`${message}\n`),
  exit: (code) => process.exit(code),
};

/**
 * Resolves the configuration, or prints every problem (EnvError lists each variable) and exits
 * with status 1. The check is by shape: EnvError may come from another bundle's copy of lib/env.
 */
export function configOrExit<T>(resolve: () => T, io: StartupIo = processIo): T {
  try {
    return resolve();
  } catch (error) {
    const problems = problemsOf(error);
    io.error(
      problems
        ? `Invalid configuration, the server stops:\n${problems.map((p) => `  - ${p}`).join("\n")}`
        : `The configuration could not be read, the server stops: ${String(error)}`,
    );
    return io.exit(1);
  }
}

function problemsOf(error: unknown): string[] | null {
  if (typeof error !== "object" || error === null || !("problems" in error)) return null;
  const { problems } = error;
  return Array.isArray(problems) && problems.every((p) => typeof p === "string") ? problems : null;
}

export type DatabaseAtStart = "open" | "unavailable" | "behind";

/**
 * Opens the database before traffic. Two failures let the server start, because they heal by
 * themselves and every page and route answers 503 with Retry-After meanwhile (getDb() tries again
 * on the next request): the database is unreachable (a restart, a failover), or it is behind this
 * build's migrations (`npm run db:migrate` not run yet). Anything else — a refused password, a
 * database or host that does not exist — heals only with a change of configuration: the process
 * stops with the reason and status 1 (thrown, Next would catch it and answer a plain 500 to every
 * request instead).
 */
export async function openDatabaseOrExit(
  open: () => Promise<unknown>,
  log: {
    warn(error: unknown, message: string): void;
    error(error: unknown, message: string): void;
  },
  io: StartupIo = processIo,
): Promise<DatabaseAtStart> {
  try {
    await open();
    return "open";
  } catch (error) {
    if (hasErrorCode(error, MIGRATIONS_BEHIND)) {
      log.error(
        error,
        "database behind this build: answering 503 until `npm run db:migrate` has run",
      );
      return "behind";
    }
    if (isDatabaseUnavailable(error)) {
      log.warn(error, "database unavailable at start-up");
      return "unavailable";
    }
    io.error(`The database cannot be opened, the server stops: ${describe(error)}`);
    return io.exit(1);
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const cause = error.cause instanceof Error ? ` (${describe(error.cause)})` : "";
  return `${typeof code === "string" ? `${code}: ` : ""}${error.message}${cause}`;
}

/**
 * One line for the start-up log naming where delivered files live: the local directory, or the
 * S3 endpoint and bucket. Never a key or secret (nor credentials written into the endpoint URL).
 */
export function storageSummary(storage: Env["storage"]): string {
  if (storage.kind === "local") return `files: local disk at ${path.resolve(storage.dir)}`;
  let endpoint = "AWS S3";
  if (storage.endpoint !== null) {
    const url = new URL(storage.endpoint);
    url.username = "";
    url.password = "";
    endpoint = url.href.replace(/\/$/, "");
  }
  const style = storage.forcePathStyle ? ", path-style" : "";
  return `files: S3 bucket ${storage.bucket} at ${endpoint} (region ${storage.region}${style})`;
}

/**
 * One line for the start-up log naming where notices go: the SMTP server (never its password),
 * the sandbox mailbox, or — live without SMTP_URL — that they wait in the outbox.
 */
export function mailSummary(mail: Env["mail"]): string {
  if (mail.transport === "hold") {
    return "mail: SMTP_URL is not set — notices wait in the outbox (/admin/notices) until it is";
  }
  if (mail.transport === "sandbox") {
    return `mail: the sandbox mailbox at /sandbox/mail (from ${mail.from})`;
  }
  const url = new URL(mail.smtpUrl!);
  return `mail: SMTP ${url.protocol}//${url.hostname}${url.port ? `:${url.port}` : ""} (from ${mail.from})`;
}
