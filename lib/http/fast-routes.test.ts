import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { config } from "@/proxy";
import {
  FAST_ROUTES,
  matchFastRoute,
  serveFast,
  webRequestOf,
  type FastHandler,
} from "../../server-fast-path.mjs";
import { FAST_ROUTES_KEY, registerFastRoute } from "./fast-routes";
import { errorResponse, readCappedText } from "./json";

/*
 * The status poll's fast path: the registry the route fills (fast-routes.ts) and server.mjs's side
 * (server-fast-path.mjs): which requests it takes, and its translation to and from the handler's
 * Request and Response, over a real node:http server. tests/e2e/fast-path.spec.ts compares its
 * answers with Next's on the production build.
 */

const globals = globalThis as Record<symbol, unknown>;
afterEach(() => {
  delete globals[FAST_ROUTES_KEY];
});

const ORDER_NO = "XP2026120312345678ABCDEFGHJK";
const answerOk: FastHandler = async () => Response.json({ ok: true });

describe("registerFastRoute", () => {
  it("does nothing without the production server's registry (next dev, tests, Vercel)", () => {
    registerFastRoute("orderStatus", answerOk);
    expect(globals[FAST_ROUTES_KEY]).toBeUndefined();
  });

  it("hands the handler to the production server's registry", () => {
    const registry = new Map<string, FastHandler>();
    globals[FAST_ROUTES_KEY] = registry;
    registerFastRoute("orderStatus", answerOk);
    expect(registry.get("orderStatus")).toBe(answerOk);
  });
});

describe("matchFastRoute", () => {
  const registry = new Map<string, FastHandler>([
    ["orderStatus", answerOk],
    ["youzanPush", answerOk],
  ]);

  it("takes a GET of the status path, with or without a query string", () => {
    for (const url of [
      `/api/orders/${ORDER_NO}/status`,
      `/api/orders/${ORDER_NO}/status?t=1`,
      `/api/orders/abc/status`,
      `/api/orders/${"x".repeat(64)}/status`,
    ]) {
      const match = matchFastRoute("GET", url, registry);
      expect(match?.handler, url).toBe(answerOk);
      expect(match?.params.orderNo, url).toBe(url.split("/")[3]);
    }
  });

  it("takes a POST of Youzan's push path", () => {
    for (const url of ["/api/webhooks/youzan", "/api/webhooks/youzan?kdt_id=1"]) {
      expect(matchFastRoute("POST", url, registry)?.params, url).toEqual({});
    }
    for (const [method, url] of [
      ["GET", "/api/webhooks/youzan"],
      ["PUT", "/api/webhooks/youzan"],
      ["POST", "/api/webhooks/youzan/"],
      ["POST", "/api/webhooks/youzanx"],
      ["POST", "/api/webhooks/you%7Aan"],
      ["POST", "/api/webhooks/alipay/trade"],
    ] as const) {
      expect(matchFastRoute(method, url, registry), `${method} ${url}`).toBeUndefined();
    }
  });

  it("leaves to Next whatever Next might decode, redirect or answer otherwise", () => {
    const leftToNext: [string, string][] = [
      ["HEAD", `/api/orders/${ORDER_NO}/status`],
      ["POST", `/api/orders/${ORDER_NO}/status`],
      ["OPTIONS", `/api/orders/${ORDER_NO}/status`],
      ["GET", `/api/orders/${ORDER_NO}/status/`],
      ["GET", `/api/orders/${ORDER_NO}/status/x`],
      ["GET", `/api/orders/${ORDER_NO}/statusx`],
      ["GET", `/api/orders/XP%41/status`],
      ["GET", `/api/orders/a_b/status`],
      ["GET", `/api/orders/a-b/status`],
      ["GET", `/api/orders/a.b/status`],
      ["GET", `/api/orders//status`],
      ["GET", `/api/orders/${"x".repeat(65)}/status`],
      ["GET", `//api/orders/${ORDER_NO}/status`],
      ["GET", `/API/orders/${ORDER_NO}/status`],
      ["GET", `http://evil.example/api/orders/${ORDER_NO}/status`],
      ["GET", `/api/orders`],
      ["GET", `/api/health`],
    ];
    for (const [method, url] of leftToNext) {
      expect(matchFastRoute(method, url, registry), `${method} ${url}`).toBeUndefined();
    }
  });

  it("leaves everything to Next until the route has registered its handler", () => {
    expect(matchFastRoute("GET", `/api/orders/${ORDER_NO}/status`, new Map())).toBeUndefined();
    const other = new Map<string, FastHandler>([["somethingElse", answerOk]]);
    expect(matchFastRoute("GET", `/api/orders/${ORDER_NO}/status`, other)).toBeUndefined();
  });

  it("takes only paths proxy.ts leaves out (the route does the proxy's work itself)", () => {
    const { getMiddlewareMatchers } = createRequire(import.meta.url)(
      "next/dist/build/analysis/get-page-static-info",
    ) as { getMiddlewareMatchers: (m: unknown, c: object) => { regexp: string }[] };
    const matchers = getMiddlewareMatchers(config.matcher, {}).map((m) => new RegExp(m.regexp));
    const proxied = (pathname: string) => matchers.some((regexp) => regexp.test(pathname));
    const segment = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9]{1,70}$/),
      fc.string({ maxLength: 12 }),
      fc.constantFrom(ORDER_NO, "%41", "a/b", "", "..", "status"),
    );
    fc.assert(
      fc.property(segment, fc.constantFrom("", "?t=1", "/", "x"), (orderNo, tail) => {
        const url = `/api/orders/${orderNo}/status${tail}`;
        const match = matchFastRoute("GET", url, registry);
        if (match) expect(proxied(url.split("?")[0]!), url).toBe(false);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(
        fc.constantFrom("/api/webhooks/youzan", "/api/webhooks/alipay/trade", "/api/webhooks"),
        fc.constantFrom("", "/", "?a=1", "x", "/x", "%20"),
        (path, tail) => {
          const url = `${path}${tail}`;
          if (matchFastRoute("POST", url, registry))
            expect(proxied(url.split("?")[0]!)).toBe(false);
        },
      ),
    );
    expect(FAST_ROUTES.map((route) => route.template)).toEqual([
      "/api/orders/{orderNo}/status",
      "/api/webhooks/youzan",
    ]);
  });
});

interface Received {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Call {
  method?: string;
  headers?: Record<string, string | string[]>;
  body?: Buffer | string;
  agent?: Agent | false;
}

/** A node:http server that answers through serveFast with `handler`, and "next" otherwise. */
async function withServer(
  handler: FastHandler,
  run: (call: (options?: Call) => Promise<Received>) => Promise<void>,
) {
  const errors: unknown[] = [];
  const server = createServer((request, response) => {
    void serveFast({ handler, params: { orderNo: ORDER_NO } }, request, response, (error) =>
      errors.push(error),
    ).then((served) => {
      if (!served) response.writeHead(299, { "x-answered-by": "next" }).end("next");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  // A connection of its own per call unless told (a server may close one after an oversize body).
  const call = ({ method = "GET", headers = {}, body, agent = false }: Call = {}) =>
    new Promise<Received>((resolve, reject) => {
      const req = httpRequest(
        {
          host: "127.0.0.1",
          port,
          method,
          agent,
          path: `/api/orders/${ORDER_NO}/status?t=2`,
          headers,
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (text += chunk));
          res.on("end", () =>
            resolve({ status: res.statusCode!, headers: res.headers, body: text }),
          );
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  try {
    await run(call);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  return errors;
}

describe("serveFast", () => {
  it("gives the handler the request as Next would: URL, method, headers, params", async () => {
    let seen: { url: string; method: string; headers: [string, string][]; params: unknown } | null =
      null;
    const handler: FastHandler = async (request, { params }) => {
      seen = {
        url: request.url,
        method: request.method,
        headers: [...request.headers],
        params: await params,
      };
      return Response.json({ ok: true });
    };
    await withServer(handler, async (call) => {
      await call({ headers: { cookie: "a=1", "x-repeated": ["1", "2"], "accept-language": "en" } });
    });
    expect(seen).not.toBeNull();
    const { url, method, headers, params } = seen!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/orders\/XP\w+\/status\?t=2$/);
    expect(method).toBe("GET");
    expect(params).toEqual({ orderNo: ORDER_NO });
    const byName = Object.fromEntries(headers);
    expect(byName).toMatchObject({ cookie: "a=1", "x-repeated": "1, 2", "accept-language": "en" });
  });

  it("writes the handler's status, headers (each Set-Cookie apart), body and its length", async () => {
    const handler: FastHandler = async () => {
      const headers = new Headers({ "content-type": "application/json", "x-one": "1" });
      headers.append("set-cookie", "a=1; Path=/");
      headers.append("set-cookie", "b=2; Path=/");
      return new Response(JSON.stringify({ 价格: "¥9.90" }), { status: 404, headers });
    };
    await withServer(handler, async (call) => {
      const answer = await call();
      expect(answer.status).toBe(404);
      expect(answer.headers["content-type"]).toBe("application/json");
      expect(answer.headers["x-one"]).toBe("1");
      expect(answer.headers["set-cookie"]).toEqual(["a=1; Path=/", "b=2; Path=/"]);
      expect(JSON.parse(answer.body)).toEqual({ 价格: "¥9.90" });
      expect(Number(answer.headers["content-length"])).toBe(Buffer.byteLength(answer.body));
      expect(answer.headers["transfer-encoding"]).toBeUndefined();
    });
  });

  it("writes nothing and leaves the request to Next when the handler throws", async () => {
    const failure = new Error("a bug");
    const errors = await withServer(
      async () => {
        throw failure;
      },
      async (call) => {
        const answer = await call();
        expect(answer.status).toBe(299);
        expect(answer.headers["x-answered-by"]).toBe("next");
      },
    );
    expect(errors).toEqual([failure]);
  });
});

describe("serveFast with a body (a POST: Youzan's pushes)", () => {
  const CAP = 64 * 1024;
  /** Reads the body as the push route does (lib/http/json.ts's readCappedText). */
  const cappedEcho: FastHandler = async (request) => {
    try {
      const text = await readCappedText(request, CAP);
      return Response.json({ bytes: Buffer.byteLength(text), head: text.slice(0, 8) });
    } catch (error) {
      return errorResponse(error);
    }
  };

  it("streams the body to the handler", async () => {
    await withServer(cappedEcho, async (call) => {
      const answer = await call({ method: "POST", body: "推送 push body" });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({
        bytes: Buffer.byteLength("推送 push body"),
        head: "推送 push b".slice(0, 8),
      });
    });
  });

  it("answers the handler's 413 to a body past its cap, declared or sent chunked", async () => {
    await withServer(cappedEcho, async (call) => {
      const big = Buffer.alloc(CAP * 16, 0x61);
      // Declared: refused before reading. Chunked (no length): refused once past the cap; the
      // client sees the 413, not a reset (it did through Readable.toWeb).
      const declared = await call({ method: "POST", body: big });
      expect(declared.status).toBe(413);
      const chunked = await call({
        method: "POST",
        headers: { "transfer-encoding": "chunked" },
        body: big,
      });
      expect(chunked.status).toBe(413);
      expect(JSON.parse(chunked.body)).toMatchObject({ error: { code: "payload_too_large" } });
      const small = await call({ method: "POST", body: "ok" });
      expect(JSON.parse(small.body)).toEqual({ bytes: 2, head: "ok" });
    });
  });

  it("answers a handler that never reads the body (a 503 from the gate), the connection lives on", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      await withServer(
        async () => Response.json({ error: { code: "unavailable" } }, { status: 503 }),
        async (call) => {
          const first = await call({ method: "POST", body: Buffer.alloc(CAP, 0x62), agent });
          expect(first.status).toBe(503);
          const second = await call({ method: "POST", body: "again", agent });
          expect(second.status).toBe(503);
        },
      );
    } finally {
      agent.destroy();
    }
  });

  it("answers 500 itself when the handler throws after the body may have been read", async () => {
    const errors = await withServer(
      async (request) => {
        await request.text();
        throw new Error("a bug");
      },
      async (call) => {
        const answer = await call({ method: "POST", body: "x" });
        expect(answer.status).toBe(500);
        expect(JSON.parse(answer.body)).toMatchObject({ error: { code: "internal" } });
      },
    );
    expect(errors).toHaveLength(1);
  });
});

describe("serveFast when the answer's body fails", () => {
  it("answers 500 when nothing is out yet, and never rejects", async () => {
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error("the body broke"));
      },
    });
    const errors = await withServer(
      async () => new Response(broken, { status: 200 }),
      async (call) => {
        const answer = await call();
        expect(answer.status).toBe(500);
        expect(JSON.parse(answer.body)).toMatchObject({ error: { code: "internal" } });
      },
    );
    expect(errors).toHaveLength(1);
  });
});

describe("webRequestOf", () => {
  it("makes no Request of a Host no URL can be made with (Next answers it)", () => {
    const request = {
      url: `/api/orders/${ORDER_NO}/status`,
      method: "GET",
      headers: { host: "exa mple:80" },
    } as unknown as Parameters<typeof webRequestOf>[0];
    expect(webRequestOf(request)).toBeUndefined();
    const fine = { ...request, headers: { host: "shop.example" } } as typeof request;
    expect(webRequestOf(fine)?.url).toBe(`http://shop.example/api/orders/${ORDER_NO}/status`);
  });
});
