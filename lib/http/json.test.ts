import { readFileSync } from "node:fs";
import path from "node:path";
import { DrizzleQueryError } from "drizzle-orm";
import postgres from "postgres";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { MigrationsBehindError } from "@/db/errors";
import { AppError, isAppError } from "@/lib/errors";

// The logger is a dependency, not the module under test: a stub keeps the test free of
// configuration and lets it check what gets logged.
const { logError, logWarn } = vi.hoisted(() => ({ logError: vi.fn(), logWarn: vi.fn() }));
vi.mock("@/lib/logger", () => ({
  moduleLogger: () => ({ error: logError, warn: logWarn, info: vi.fn(), debug: vi.fn() }),
}));

const {
  DEFAULT_MAX_BODY_BYTES,
  RETRY_AFTER_SECONDS,
  asJsonError,
  errorResponse,
  methodsNotAllowed,
  json,
  readCappedText,
  readJson,
  route,
  sizedJson,
} = await import("@/lib/http/json");

// postgres.js builds PostgresError from the server's fields; its types give only Error's constructor.
const PostgresError = postgres.PostgresError as unknown as new (
  fields: Record<string, string>,
) => Error;

const URL_ = "http://shop.test/api/thing";
const schema = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email({ error: "email.invalid" })),
  qty: z.number({ error: "qty.invalid" }).int("qty.invalid").min(1, "qty.too_small"),
});

type StreamInit = RequestInit & { duplex: "half" };

function jsonRequest(body: string, headers: Record<string, string> = {}): Request {
  return new Request(URL_, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
}

/** A request whose body arrives as a stream of chunks, so no Content-Length is derived. */
function streamRequest(
  chunks: (string | Uint8Array)[],
  headers: Record<string, string> = { "content-type": "application/json" },
) {
  const encoder = new TextEncoder();
  const state = { pulled: 0, cancelled: false };
  let index = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      state.pulled++;
      const chunk = chunks[index++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
    },
    cancel() {
      state.cancelled = true;
    },
  });
  const init: StreamInit = { method: "POST", headers, body: stream, duplex: "half" };
  return { request: new Request(URL_, init), state };
}

/** The AppError a promise rejects with, failing the test otherwise. */
async function appErrorOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) return error;
    throw error;
  }
  return expect.fail("expected an AppError");
}

beforeEach(() => {
  logError.mockClear();
  logWarn.mockClear();
});

describe("readJson: content type", () => {
  it("answers 415 to text/plain", async () => {
    const request = new Request(URL_, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: '{"email":"a@b.co","qty":1}',
    });
    const error = await appErrorOf(readJson(request, schema));
    expect(error.code).toBe("unsupported_media_type");
    expect(error.status).toBe(415);
  });

  it("answers 415 when there is no content type", async () => {
    const request = new Request(URL_, {
      method: "POST",
      body: new TextEncoder().encode('{"email":"a@b.co","qty":1}'),
    });
    expect(request.headers.get("content-type")).toBeNull();
    expect((await appErrorOf(readJson(request, schema))).status).toBe(415);
  });

  it.each([
    "text/json",
    "application/jsonp",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "text/plain; charset=application/json",
  ])("answers 415 to %j", async (type) => {
    const request = jsonRequest('{"email":"a@b.co","qty":1}', { "content-type": type });
    expect((await appErrorOf(readJson(request, schema))).status).toBe(415);
  });

  it.each([
    "application/json",
    "application/json; charset=utf-8",
    "Application/JSON",
    "application/vnd.api+json",
    "application/merge-patch+json",
  ])("accepts %j", async (type) => {
    const request = jsonRequest('{"email":"a@b.co","qty":1}', { "content-type": type });
    await expect(readJson(request, schema)).resolves.toEqual({ email: "a@b.co", qty: 1 });
  });
});

describe("readJson: size cap", () => {
  it("answers 413 when Content-Length declares more than the cap, without reading", async () => {
    const { request } = streamRequest(['{"email":"a@b.co","qty":1}'], {
      "content-type": "application/json",
      "content-length": "1000",
    });
    const error = await appErrorOf(readJson(request, schema, 100));
    expect(error.code).toBe("payload_too_large");
    expect(error.status).toBe(413);
    expect(request.bodyUsed).toBe(false);
  });

  it("answers 413 when Content-Length lies about a larger body", async () => {
    const big = JSON.stringify({ email: "a@b.co", qty: 1, pad: "x".repeat(500) });
    const { request, state } = streamRequest([big], {
      "content-type": "application/json",
      "content-length": "10",
    });
    expect(request.headers.get("content-length")).toBe("10");
    expect((await appErrorOf(readJson(request, schema, 100))).status).toBe(413);
    expect(state.cancelled).toBe(true);
  });

  it("answers 413 when Content-Length is absent and the stream goes on", async () => {
    const chunk = "x".repeat(40);
    const { request, state } = streamRequest(['{"pad":"', chunk, chunk, chunk, chunk, '"}']);
    expect(request.headers.get("content-length")).toBeNull();
    expect((await appErrorOf(readJson(request, schema, 100))).status).toBe(413);
    expect(state.cancelled).toBe(true);
    // It stopped reading once over the cap instead of draining the whole stream.
    expect(state.pulled).toBeLessThan(6);
  });

  it("counts bytes, not characters", async () => {
    // 30 characters of Chinese are 90 bytes of UTF-8.
    const body = JSON.stringify({ email: "a@b.co", qty: 1, note: "中".repeat(30) });
    expect(body.length).toBeLessThan(100);
    expect(new TextEncoder().encode(body).byteLength).toBeGreaterThan(100);
    const { request } = streamRequest([body]);
    expect((await appErrorOf(readJson(request, schema, 100))).status).toBe(413);
  });

  it("accepts a body of exactly the cap", async () => {
    const base = '{"email":"a@b.co","qty":1,"pad":""}';
    const body = base.replace('""', `"${"x".repeat(100 - base.length)}"`);
    expect(new TextEncoder().encode(body).byteLength).toBe(100);
    const { request } = streamRequest([body.slice(0, 50), body.slice(50)]);
    await expect(readJson(request, schema, 100)).resolves.toEqual({ email: "a@b.co", qty: 1 });
    const over = streamRequest([`${body} `]);
    expect((await appErrorOf(readJson(over.request, schema, 100))).status).toBe(413);
  });

  it("uses a 64 KiB cap by default", async () => {
    expect(DEFAULT_MAX_BODY_BYTES).toBe(64 * 1024);
    const body = JSON.stringify({ email: "a@b.co", qty: 1, pad: "x".repeat(64 * 1024) });
    expect((await appErrorOf(readJson(streamRequest([body]).request, schema))).status).toBe(413);
    const fits = JSON.stringify({ email: "a@b.co", qty: 1, pad: "x".repeat(60 * 1024) });
    await expect(readJson(streamRequest([fits]).request, schema)).resolves.toEqual({
      email: "a@b.co",
      qty: 1,
    });
  });
});

describe("readJson: parsing and validation", () => {
  it.each(["{", "", "undefined", "{'email':'a@b.co'}", '{"email":"a@b.co",}', "NaN"])(
    "answers 400 to the malformed body %j",
    async (body) => {
      const error = await appErrorOf(readJson(jsonRequest(body), schema));
      expect(error.code).toBe("bad_request");
      expect(error.status).toBe(400);
      expect(error.fields).toBeUndefined();
    },
  );

  it("answers 422 with field codes for the wrong shape", async () => {
    const error = await appErrorOf(
      readJson(jsonRequest(JSON.stringify({ email: "nope", qty: 0 })), schema),
    );
    expect(error.code).toBe("validation_failed");
    expect(error.status).toBe(422);
    expect(error.fields).toEqual({ email: ["email.invalid"], qty: ["qty.too_small"] });
  });

  it.each([
    ["an array", "[]"],
    ["a string", '"hello"'],
    ["null", "null"],
    ["a number", "42"],
  ])("answers 422 to %s at the top level", async (_label, body) => {
    const error = await appErrorOf(readJson(jsonRequest(body), schema));
    expect(error.status).toBe(422);
    expect(error.fields).toBeDefined();
  });

  it("returns the parsed, transformed value", async () => {
    const request = jsonRequest(JSON.stringify({ email: "  Buyer@Example.COM ", qty: 3 }));
    const value: z.infer<typeof schema> = await readJson(request, schema);
    expect(value).toEqual({ email: "buyer@example.com", qty: 3 });
  });

  it("decodes UTF-8 split across chunks", async () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ name: "小铺" }));
    const cut = bytes.indexOf(0xe5) + 1; // inside the first character
    const { request } = streamRequest([bytes.slice(0, cut), bytes.slice(cut)]);
    await expect(readJson(request, z.object({ name: z.string() }))).resolves.toEqual({
      name: "小铺",
    });
  });
});

describe("sizedJson", () => {
  it("says its length, so the server's compression leaves a small answer alone", async () => {
    const response = sizedJson({ code: 0, msg: "成功" }, { status: 200 });
    const text = '{"code":0,"msg":"成功"}';
    expect(response.headers.get("content-length")).toBe(String(Buffer.byteLength(text)));
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(text);
  });

  it("asks the server not to transform it (Next's compression skips no-transform), keeping a cache policy", () => {
    expect(sizedJson({ ok: true }).headers.get("cache-control")).toBe("no-transform");
    expect(
      sizedJson({ ok: true }, { headers: { "cache-control": "no-store" } }).headers.get(
        "cache-control",
      ),
    ).toBe("no-store, no-transform");
    expect(
      sizedJson(
        { ok: true },
        { headers: { "cache-control": "no-store, no-transform" } },
      ).headers.get("cache-control"),
    ).toBe("no-store, no-transform");
  });
});

describe("readCappedText", () => {
  it("returns an empty string for a request without a body", async () => {
    await expect(readCappedText(new Request(URL_), 10)).resolves.toBe("");
  });

  it("returns the text of a body within the cap", async () => {
    await expect(readCappedText(streamRequest(["ab", "cd"]).request, 4)).resolves.toBe("abcd");
  });
});

describe("route", () => {
  it("passes the request, the context and the response through", async () => {
    const handler = route<{ params: Promise<{ id: string }> }>(async (request, context) => {
      const { id } = await context.params;
      return json({ id, method: request.method }, { status: 201 });
    });
    const response = await handler(new Request(URL_, { method: "PUT" }), {
      params: Promise.resolve({ id: "ord_1" }),
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ id: "ord_1", method: "PUT" });
    expect(logError).not.toHaveBeenCalled();
  });

  it.each([
    ["not_found", 404],
    ["conflict", 409],
    ["rate_limited", 429],
    ["provider_unavailable", 503],
  ] as const)(
    "turns a thrown AppError(%s) into status %d and its JSON body",
    async (code, status) => {
      const handler = route(async () => {
        throw new AppError(code, "Told to the client.");
      });
      const response = await handler(new Request(URL_), undefined);
      expect(response.status).toBe(status);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({ error: { code, message: "Told to the client." } });
    },
  );

  it("includes field errors from readJson", async () => {
    const handler = route(async (request) => json(await readJson(request, schema)));
    const response = await handler(jsonRequest('{"email":"x","qty":"2"}'), undefined);
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      error: {
        code: "validation_failed",
        message: "Some fields are invalid.",
        fields: { email: ["email.invalid"], qty: ["qty.invalid"] },
      },
    });
    expect(logError).not.toHaveBeenCalled();
  });

  it("answers a plain Error with a generic 500 that does not leak its message", async () => {
    const handler = route(async () => {
      throw new Error("connect ECONNREFUSED 10.0.0.5:5432 password=hunter2");
    });
    const response = await handler(new Request(URL_), undefined);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("ECONNREFUSED");
    const body: unknown = JSON.parse(text);
    expect(body).toEqual({ error: { code: "internal", message: expect.any(String) } });
    expect(text).toMatch(/went wrong/i);
  });

  it("logs unknown errors, but not expected 4xx errors", async () => {
    const boom = new Error("boom");
    await route(async () => {
      throw boom;
    })(new Request(URL_), undefined);
    expect(logError).toHaveBeenCalledTimes(1);
    expect(logError.mock.calls[0]?.[0]).toEqual({ err: boom });

    logError.mockClear();
    await route(async () => {
      throw new AppError("forbidden", "no");
    })(new Request(URL_), undefined);
    expect(logError).not.toHaveBeenCalled();
  });

  it("handles non-Error throws", async () => {
    const handler = route(async () => {
      throw "a string with secret=abc";
    });
    const response = await handler(new Request(URL_), undefined);
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain("secret=abc");
  });
});

describe("errorResponse", () => {
  it("builds the same JSON response as route does", async () => {
    const response = errorResponse(new AppError("method_not_allowed", "Use POST."));
    expect(response.status).toBe(405);
    expect(await response.json()).toEqual({
      error: { code: "method_not_allowed", message: "Use POST." },
    });
  });
});

describe("asJsonError", () => {
  it("turns a library's plain-text refusal into the shop's JSON error with a code", async () => {
    const refused = await asJsonError(new Response("Bad request.", { status: 400 }));
    expect(refused.status).toBe(400);
    expect(refused.headers.get("content-type")).toContain("application/json");
    expect(await refused.json()).toEqual({
      error: { code: "bad_request", message: "Bad request." },
    });
    const unknownStatus = await asJsonError(new Response("", { status: 418 }));
    expect(await unknownStatus.json()).toEqual({
      error: { code: "bad_request", message: "The request was refused." },
    });
    const bareString = await asJsonError(Response.json("Bad request.", { status: 400 }));
    expect(await bareString.json()).toEqual({
      error: { code: "bad_request", message: "Bad request." },
    });
    const notAllowed = await asJsonError(new Response("nope", { status: 405 }));
    expect(((await notAllowed.json()) as { error: { code: string } }).error.code).toBe(
      "method_not_allowed",
    );
  });

  it("passes successes, redirects and JSON errors unchanged", async () => {
    const ok = new Response("fine", { status: 200 });
    expect(await asJsonError(ok)).toBe(ok);
    const redirect = new Response(null, { status: 302, headers: { location: "/" } });
    expect(await asJsonError(redirect)).toBe(redirect);
    const already = Response.json({ error: { code: "x", message: "y" } }, { status: 400 });
    expect(await asJsonError(already)).toBe(already);
  });
});

describe("methodsNotAllowed", () => {
  it("answers 405 with Allow and the JSON error, whatever the method", async () => {
    const { DELETE, PUT } = methodsNotAllowed(["GET", "POST"]);
    for (const handler of [DELETE, PUT]) {
      const response = handler();
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("GET, POST, HEAD, OPTIONS");
      expect(await response.json()).toEqual({
        error: { code: "method_not_allowed", message: "This route answers GET and POST." },
      });
    }
    expect(methodsNotAllowed(["POST"]).GET().headers.get("allow")).toBe("POST, OPTIONS");
  });
});

describe("route: the database cannot serve", () => {
  /** What a query gives when PostgreSQL refuses the connection: drizzle's wrapper, Node's cause. */
  function refusedQuery() {
    const cause = Object.assign(new Error("connect ECONNREFUSED 10.0.0.5:5432"), {
      errno: -111,
      code: "ECONNREFUSED",
      syscall: "connect",
      address: "10.0.0.5",
      port: 5432,
    });
    return new DrizzleQueryError(
      'insert into "users" ("email", "password_hash") values ($1, $2)',
      ["buyer@example.com", "scrypt$secret-hash"],
      cause,
    );
  }

  async function answer(thrown: unknown) {
    const response = await route(async () => {
      throw thrown;
    })(new Request(URL_), undefined);
    return { response, text: await response.text() };
  }

  it("server.mjs answers an outage's 500 with the same Retry-After (it cannot import this module)", () => {
    const server = readFileSync(path.join(process.cwd(), "server.mjs"), "utf8");
    expect(server).toMatch(/^const RETRY_AFTER_SECONDS = "(\d+)";$/m);
    const [, seconds] = /^const RETRY_AFTER_SECONDS = "(\d+)";$/m.exec(server)!;
    expect(seconds).toBe(String(RETRY_AFTER_SECONDS));
  });

  it.each([
    ["a refused connection under drizzle's wrapper", refusedQuery()],
    [
      "a server shutting down (57P01)",
      new PostgresError({
        severity: "FATAL",
        code: "57P01",
        message: "terminating connection due to administrator command",
      }),
    ],
    [
      "postgres.js losing its connection",
      Object.assign(new Error("write CONNECTION_CLOSED db:5432"), {
        code: "CONNECTION_CLOSED",
        errno: "CONNECTION_CLOSED",
      }),
    ],
    ["a closed PGlite", new Error("PGlite is closed")],
  ])("answers 503 with Retry-After to %s, never 500", async (_label, thrown) => {
    const { response, text } = await answer(thrown);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe(String(RETRY_AFTER_SECONDS));
    expect(RETRY_AFTER_SECONDS).toBe(5);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(JSON.parse(text)).toEqual({
      error: { code: "service_unavailable", message: expect.stringMatching(/try again/i) },
    });
    expect(logWarn).toHaveBeenCalledTimes(1);
    expect(logError).not.toHaveBeenCalled();
  });

  it("leaks neither the query, its parameters nor the address, and logs the driver's error", async () => {
    const thrown = refusedQuery();
    const { text } = await answer(thrown);
    for (const secret of [
      "secret-hash",
      "buyer@example.com",
      "10.0.0.5",
      "insert",
      "ECONNREFUSED",
    ]) {
      expect(text).not.toContain(secret);
    }
    // The wrapper's message holds the parameters: the log gets its cause instead.
    expect(logWarn.mock.calls[0]?.[0]).toEqual({ err: thrown.cause });
  });

  it("answers 503 to a database that is not migrated, logged as an error for the operator", async () => {
    const { response, text } = await answer(new MigrationsBehindError(["0003_inbox_dead"]));
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(text).not.toContain("0003_inbox_dead");
    expect(logError).toHaveBeenCalledTimes(1);
  });

  it("lets an AppError speak for itself even when a database error is its cause", async () => {
    const { response } = await answer(
      new AppError("conflict", "Already taken.", undefined, { cause: refusedQuery() }),
    );
    expect(response.status).toBe(409);
    expect(response.headers.get("retry-after")).toBeNull();
  });

  it("sends a rate limit's Retry-After with its 429", async () => {
    const { response, text } = await answer(
      new AppError("rate_limited", "Too many requests.", undefined, { retryAfterSeconds: 42 }),
    );
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("42");
    expect(JSON.parse(text)).toEqual({
      error: { code: "rate_limited", message: "Too many requests." },
    });
  });

  it("keeps a 503's own Retry-After when the error names one (a busy queue)", async () => {
    const { response } = await answer(
      new AppError("service_unavailable", "Busy.", { reason: ["busy"] }, { retryAfterSeconds: 30 }),
    );
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("30");
  });

  it("gives the provider's 503 the same retry hint", async () => {
    const { response, text } = await answer(
      new AppError("provider_unavailable", "Youzan is down."),
    );
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(JSON.parse(text)).toEqual({
      error: { code: "provider_unavailable", message: "Youzan is down." },
    });
  });

  it("logs a failed query's text and driver error, never its parameters", async () => {
    const cause = new PostgresError({ severity: "ERROR", code: "22P02", message: "bad input" });
    const thrown = new DrizzleQueryError(
      'insert into "users" ("email", "password_hash") values ($1, $2)',
      ["buyer@example.com", "scrypt$secret-hash"],
      cause,
    );
    const { response } = await answer(thrown);
    expect(response.status).toBe(500);
    expect(logError.mock.calls[0]?.[0]).toEqual({
      err: cause,
      query: 'insert into "users" ("email", "password_hash") values ($1, $2)',
    });
    expect(JSON.stringify(logError.mock.calls[0]?.[0])).not.toContain("secret-hash");
  });

  it("keeps a 500 for database errors that a retry will not fix", async () => {
    const { response } = await answer(
      new DrizzleQueryError(
        "select * from orderz",
        [],
        new PostgresError({
          severity: "ERROR",
          code: "42P01",
          message: 'relation "orderz" does not exist',
        }),
      ),
    );
    expect(response.status).toBe(500);
    expect(response.headers.get("retry-after")).toBeNull();
  });
});
