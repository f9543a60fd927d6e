import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import type { Clock } from "@/lib/clock";
import {
  createYouzanSandbox,
  type YouzanSandbox,
  type YouzanSandboxOptions,
} from "@/lib/sandbox/youzan";
import { withTestDatabase } from "./db";

/*
 * The Youzan sandbox over a real database, a clock the test moves and a real HTTP push receiver
 * that records the exact bytes it got. Nothing here waits on the wall clock: the `slowMs` fault
 * records its delay instead of sleeping, and pushes are delivered only by tick() unless a test
 * hands the sandbox a background collector. Signatures are checked with node:crypto directly,
 * never with the sandbox's own helpers.
 */

export type Json = Record<string, unknown>;

export const APP = {
  clientId: "yz-test-client",
  clientSecret: "yz-test-secret",
  kdtId: "55667788",
};
export const BASE = "http://sandbox.test/sandbox/youzan";
/** 10:00:00 in China. */
export const START = Date.parse("2026-03-01T02:00:00.000Z");
export const SUCCESS_REPLY = '{"code":0,"msg":"success"}';

export interface Received {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  body: Json;
}

/** How the receiver answers; `"never"` keeps the request hanging (a receiver that times out). */
export interface Reply {
  status: number;
  body: string;
  delayMs: number | "never";
}

export interface CallOptions {
  token?: string | null;
  method?: "GET" | "POST";
  contentType?: string;
  rawBody?: string;
  headers?: Record<string, string>;
  /** Defaults to BASE; an `https:` base avoids the `httpRedirect` fault. */
  base?: string;
}

/** Reads a dotted path ("data.full_order_info.order_info.tid", "qr_trades.0.tid") of parsed JSON. */
export function at(value: unknown, path: string): unknown {
  let node = value;
  for (const key of path.split(".")) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

export const md5 = (...parts: (string | Buffer)[]) => {
  const hash = createHash("md5");
  for (const part of parts) hash.update(part);
  return hash.digest("hex");
};

export const gwCode = (json: Json) => at(json, "gw_err_resp.err_code");

/** What a correct receiver does with `msg`: plus → space, then percent-decode, then JSON. */
export const decodeForm = (msg: string) =>
  JSON.parse(decodeURIComponent(msg.replaceAll("+", " "))) as Json;

export const goodTokenRequest = {
  client_id: APP.clientId,
  client_secret: APP.clientSecret,
  authorize_type: "silent",
  grant_id: APP.kdtId,
};

/** Starts tasks handed to `background` and lets the test wait for them. */
export function backgroundCollector() {
  const running: Promise<unknown>[] = [];
  return {
    schedule: (task: () => Promise<unknown>) => {
      running.push(task());
    },
    get count() {
      return running.length;
    },
    drain: async () => {
      await Promise.all(running.splice(0));
    },
  };
}

/** Registers the hooks of one test file and returns what its tests use. */
export function withSandboxHarness() {
  const t = withTestDatabase();
  let nowMs = START;
  const clock: Clock = { now: async () => new Date(nowMs) };
  let received: Received[] = [];
  let reply: Reply = { status: 200, body: SUCCESS_REPLY, delayMs: 0 };
  let server: Server | undefined;
  let pushUrl = "";
  let sandbox: YouzanSandbox | undefined;
  /** Delays the `slowMs` fault asked for, in order; nothing actually sleeps. */
  const slept: number[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const raw = Buffer.concat(chunks);
        received.push({
          headers: request.headers,
          raw,
          body: JSON.parse(raw.toString("utf8")) as Json,
        });
        const { status, body, delayMs } = reply;
        if (delayMs === "never") return;
        setTimeout(() => {
          if (response.destroyed) return;
          response.writeHead(status, { "content-type": "application/json" }).end(body);
        }, delayMs);
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    pushUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  function build(options: Partial<YouzanSandboxOptions> = {}): YouzanSandbox {
    return createYouzanSandbox({
      db: t.db(),
      clock,
      app: APP,
      publicBaseUrl: BASE,
      pushUrl,
      sleep: async (ms) => {
        slept.push(ms);
      },
      ...options,
    });
  }

  beforeEach(() => {
    nowMs = START;
    received = [];
    reply = { status: 200, body: SUCCESS_REPLY, delayMs: 0 };
    slept.length = 0;
    sandbox = build();
  });

  const current = (): YouzanSandbox => {
    if (!sandbox) throw new Error("withSandboxHarness: the sandbox is built in beforeEach");
    return sandbox;
  };

  async function tokenCall(
    body: unknown,
    contentType = "application/json",
    base = BASE,
  ): Promise<{ status: number; json: Json; response: Response }> {
    const response = await current().handleToken(
      new Request(`${base}/auth/token`, {
        method: "POST",
        headers: { "content-type": contentType },
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
    );
    const isJson = /json/.test(response.headers.get("content-type") ?? "");
    const json = (isJson ? await response.clone().json() : {}) as Json;
    return { status: response.status, json, response };
  }

  async function issueToken(refresh = false): Promise<string> {
    const { json } = await tokenCall({ ...goodTokenRequest, refresh });
    expect(at(json, "success")).toBe(true);
    return at(json, "data.access_token") as string;
  }

  /** The raw Response of a gateway call (transport faults are not JSON). */
  async function apiResponse(
    path: string[],
    params: Record<string, unknown> = {},
    options: CallOptions = {},
  ): Promise<Response> {
    const method = options.method ?? "POST";
    const url = new URL(`${options.base ?? BASE}/api/${path.join("/")}`);
    if (options.token) url.searchParams.set("access_token", options.token);
    if (method === "GET") {
      for (const [key, value] of Object.entries(params)) url.searchParams.set(key, String(value));
    }
    return current().handleApi(
      new Request(url, {
        method,
        headers: {
          ...(method === "POST"
            ? { "content-type": options.contentType ?? "application/json" }
            : {}),
          ...options.headers,
        },
        body: method === "POST" ? (options.rawBody ?? JSON.stringify(params)) : undefined,
      }),
      path,
    );
  }

  async function api(
    path: string[],
    params: Record<string, unknown> = {},
    options: CallOptions = {},
  ): Promise<{ status: number; json: Json }> {
    const response = await apiResponse(path, params, options);
    return { status: response.status, json: (await response.json()) as Json };
  }

  /** Calls with a fresh valid token. */
  async function authed(
    path: string[],
    params: Record<string, unknown> = {},
    options: CallOptions = {},
  ) {
    return api(path, params, { token: await issueToken(), ...options });
  }

  async function createQr(
    params: Record<string, unknown> = {
      qr_type: "QR_TYPE_DYNAMIC",
      qr_price: "990",
      qr_name: "电子书 · 小铺",
    },
  ): Promise<string> {
    const { json } = await authed(["youzan.pay.qrcode.create", "3.0.0"], params);
    expect(at(json, "response"), JSON.stringify(json)).toBeDefined();
    return at(json, "response.qr_id") as string;
  }

  return {
    db: () => t.db(),
    get sandbox() {
      return current();
    },
    /** Replaces this test's sandbox with one built with other options (same database). */
    rebuild(options: Partial<YouzanSandboxOptions> = {}): YouzanSandbox {
      sandbox = build(options);
      return sandbox;
    },
    /** Another instance over the same database, as a second process would have. */
    another: (options: Partial<YouzanSandboxOptions> = {}) => build(options),
    get received() {
      return received;
    },
    clearReceived() {
      received = [];
    },
    types: () => received.map((push) => push.body.type),
    setReply(next: Partial<Reply>) {
      reply = { status: 200, body: SUCCESS_REPLY, delayMs: 0, ...next };
    },
    get pushUrl() {
      return pushUrl;
    },
    slept,
    now: () => nowMs,
    advance(seconds: number) {
      nowMs += seconds * 1000;
    },
    tokenCall,
    issueToken,
    apiResponse,
    api,
    authed,
    createQr,
  };
}

export type SandboxHarness = ReturnType<typeof withSandboxHarness>;
