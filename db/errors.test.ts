import { createServer } from "node:net";
import { PGlite } from "@electric-sql/pglite";
import { DrizzleQueryError, sql } from "drizzle-orm";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import {
  databaseUnavailableCause,
  errorChain,
  isDatabaseUnavailable,
  isUniqueViolation,
  MigrationsBehindError,
} from "./errors";

/*
 * Errors are made the way the drivers make them: real ones where that is cheap and needs no
 * server (a refused port, an ended pool, a closed PGlite), otherwise built field by field as
 * postgres.js builds them (postgres/src/errors.js) and as Node's net module does.
 */

/** What drizzle throws when a query fails: the driver's error as `cause`. */
const wrapped = (cause: unknown) => new DrizzleQueryError("select 1", [], cause as Error);

/** A Node socket error (net.connect / socket read), with its fields. */
function nodeSocketError(code: string, errno: number, syscall: string, message: string) {
  return Object.assign(new Error(message), { errno, code, syscall });
}

/** postgres.js's Errors.connection(...). */
function postgresJsConnectionError(code: string) {
  return Object.assign(new Error(`write ${code} db.example.com:5432`), {
    code,
    errno: code,
    address: "db.example.com",
    port: 5432,
  });
}

/**
 * postgres.js builds its PostgresError from the fields of the server's ErrorResponse; its type
 * declarations only give it Error's constructor.
 */
const PostgresError = postgres.PostgresError as unknown as new (
  fields: Record<string, string>,
) => InstanceType<typeof postgres.PostgresError>;

/** postgres.js's PostgresError from the server's ErrorResponse fields. */
function serverError(code: string, message: string, severity = "FATAL") {
  return new PostgresError({ severity, severity_local: severity, code, message });
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return expect.fail("expected a rejection");
}

describe("isDatabaseUnavailable: real driver errors", () => {
  it("postgres.js through drizzle, nothing listening: ECONNREFUSED under a DrizzleQueryError", async () => {
    const client = postgres(`postgres://shop@127.0.0.1:${await closedPort()}/shop`, { max: 1 });
    try {
      const error = await rejectionOf(drizzlePostgres({ client }).execute(sql`select 1`));
      expect(error).toBeInstanceOf(DrizzleQueryError);
      expect(isDatabaseUnavailable(error)).toBe(true);
      expect(databaseUnavailableCause(error)).toMatchObject({ code: "ECONNREFUSED" });
    } finally {
      await client.end();
    }
  });

  it("postgres.js after its pool was ended: CONNECTION_ENDED", async () => {
    const client = postgres(`postgres://shop@127.0.0.1:${await closedPort()}/shop`, { max: 1 });
    await client.end();
    const error = await rejectionOf(client`select 1`.execute());
    expect(error).toMatchObject({ code: "CONNECTION_ENDED" });
    expect(isDatabaseUnavailable(error)).toBe(true);
  });
});

describe("isDatabaseUnavailable: PGlite", () => {
  // One embedded database for both tests (starting one takes seconds); the last test closes it.
  let client: PGlite;
  beforeAll(async () => {
    client = await PGlite.create();
  }, 60_000);

  it("not a query error (a syntax error is a bug, not an outage)", async () => {
    const error = await rejectionOf(drizzlePglite({ client }).execute(sql`selec 1`));
    expect(errorChain(error).some((e) => (e as { code?: unknown }).code === "42601")).toBe(true);
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it("a query after close(), through drizzle", async () => {
    const db = drizzlePglite({ client });
    await client.close();
    const error = await rejectionOf(db.execute(sql`select 1`));
    expect(isDatabaseUnavailable(error)).toBe(true);
  });
});

describe("isDatabaseUnavailable: driver error shapes", () => {
  it.each([
    [
      "ECONNREFUSED",
      nodeSocketError("ECONNREFUSED", -111, "connect", "connect ECONNREFUSED 10.0.0.5:5432"),
    ],
    ["ECONNRESET", nodeSocketError("ECONNRESET", -104, "read", "read ECONNRESET")],
    ["ETIMEDOUT", nodeSocketError("ETIMEDOUT", -110, "connect", "connect ETIMEDOUT 10.0.0.5:5432")],
    ["EHOSTUNREACH", nodeSocketError("EHOSTUNREACH", -113, "connect", "connect EHOSTUNREACH")],
    ["EAI_AGAIN", nodeSocketError("EAI_AGAIN", -3001, "getaddrinfo", "getaddrinfo EAI_AGAIN db")],
    ["CONNECTION_CLOSED", postgresJsConnectionError("CONNECTION_CLOSED")],
    ["CONNECTION_ENDED", postgresJsConnectionError("CONNECTION_ENDED")],
    ["CONNECTION_DESTROYED", postgresJsConnectionError("CONNECTION_DESTROYED")],
    ["CONNECT_TIMEOUT", postgresJsConnectionError("CONNECT_TIMEOUT")],
    [
      "57P01 admin_shutdown",
      serverError("57P01", "terminating connection due to administrator command"),
    ],
    [
      "57P02 crash_shutdown",
      serverError("57P02", "terminating connection because of crash of another server process"),
    ],
    ["57P03 cannot_connect_now", serverError("57P03", "the database system is starting up")],
    ["53300 too_many_connections", serverError("53300", "sorry, too many clients already")],
    ["08006 connection_failure", serverError("08006", "connection failure")],
    ["08001 unable to connect", serverError("08001", "could not connect to server")],
    ["08P01 protocol_violation", serverError("08P01", "invalid message format")],
  ])("%s: alone and wrapped by drizzle", (_label, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(isDatabaseUnavailable(wrapped(error))).toBe(true);
    expect(databaseUnavailableCause(wrapped(error))).toBe(error);
  });

  it("a connect to every address of a host name refused (Node's AggregateError)", () => {
    const v6 = nodeSocketError("ECONNREFUSED", -111, "connect", "connect ECONNREFUSED ::1:5432");
    const v4 = nodeSocketError(
      "ECONNREFUSED",
      -111,
      "connect",
      "connect ECONNREFUSED 127.0.0.1:5432",
    );
    // Node sets the first error's code on the aggregate; look inside even when it does not.
    expect(
      isDatabaseUnavailable(
        wrapped(Object.assign(new AggregateError([v6, v4]), { code: "ECONNREFUSED" })),
      ),
    ).toBe(true);
    expect(isDatabaseUnavailable(wrapped(new AggregateError([v6, v4])))).toBe(true);
  });

  it("a database behind this build's migrations", () => {
    const error = new MigrationsBehindError(["0003_inbox_dead"]);
    expect(error.message).toContain("npm run db:migrate");
    expect(error.message).toContain("0003_inbox_dead");
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    [
      "a unique violation",
      serverError("23505", "duplicate key value violates unique constraint", "ERROR"),
    ],
    ["an undefined table", serverError("42P01", 'relation "orders" does not exist', "ERROR")],
    [
      "a wrong password (configuration)",
      serverError("28P01", "password authentication failed", "FATAL"),
    ],
    ["a missing database (configuration)", serverError("3D000", 'database "shop" does not exist')],
    [
      "a query cancelled by statement_timeout",
      serverError("57014", "canceling statement due to statement timeout", "ERROR"),
    ],
    [
      "an unknown host (configuration)",
      nodeSocketError("ENOTFOUND", -3008, "getaddrinfo", "getaddrinfo ENOTFOUND db"),
    ],
    ["a plain Error that only mentions a code", new Error("connect ECONNREFUSED 10.0.0.5:5432")],
    ["a numeric code", Object.assign(new Error("x"), { code: 8006 })],
    ["an AppError", new AppError("conflict", "taken")],
    ["a string", "ECONNREFUSED"],
    ["null", null],
    ["undefined", undefined],
  ])("not %s", (_label, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
    expect(isDatabaseUnavailable(wrapped(error))).toBe(false);
  });

  it("stops on a cycle of causes", () => {
    const a: { cause?: unknown } = new Error("a");
    const b = new Error("b", { cause: a });
    a.cause = b;
    expect(isDatabaseUnavailable(a)).toBe(false);
    expect(errorChain(a)).toEqual([a, b]);
  });
});

describe("isUniqueViolation", () => {
  it("finds the constraint under drizzle's wrapper (postgres.js names it constraint_name)", () => {
    const error = Object.assign(serverError("23505", "duplicate key", "ERROR"), {
      constraint_name: "orders_order_no_uq",
    });
    expect(isUniqueViolation(wrapped(error), "orders_order_no_uq")).toBe(true);
    expect(isUniqueViolation(wrapped(error), "orders_qr_id_uq")).toBe(false);
    expect(isUniqueViolation(postgresJsConnectionError("CONNECTION_CLOSED"), "x")).toBe(false);
  });
});
