import { beforeEach, describe, expect, it, vi } from "vitest";
import {
  createFakeYouzan,
  gatewayError,
  ok,
  rawResponse,
  SEVEN_DAYS_MS,
  type RecordedRequest,
} from "@/tests/helpers/fake-network";
import {
  createYouzanClient,
  tokenExpiryMs,
  TOKEN_EXPIRY_MARGIN_MS,
  USER_AGENT,
  type YouzanClientDeps,
} from "./client";
import { createMemoryTokenStore, type TokenStore } from "./token-store";
import { isYouzanError, type YouzanConfig, type YouzanError } from "./types";

const logs = vi.hoisted(() => [] as unknown[][]);
vi.mock("@/lib/logger", () => {
  const record =
    (level: string) =>
    (...args: unknown[]) =>
      logs.push([level, ...args]);
  return {
    moduleLogger: () => ({
      debug: record("debug"),
      info: record("info"),
      warn: record("warn"),
      error: record("error"),
    }),
  };
});

const T0 = Date.UTC(2025, 0, 15, 2, 0, 0);
let clock = T0;
const now = () => clock;

const config: YouzanConfig = {
  baseUrl: "https://open.youzanyun.test/",
  clientId: "client-abc",
  clientSecret: "s3cret-value",
  kdtId: "10001000",
};

/** The token store of the test: clients built with `deps()` share it, as the app's do. */
let store: TokenStore;

beforeEach(() => {
  clock = T0;
  logs.length = 0;
  store = createMemoryTokenStore();
});

/** A client's dependencies over a fake network, the test clock and the test's token store. */
function deps(fetch: typeof globalThis.fetch): YouzanClientDeps {
  return { fetch, now, tokenStore: store };
}

/** Rejects one token (every call presenting it gets `code`), accepts every other. */
function rejecting(badToken: string, code: number) {
  return (r: RecordedRequest) =>
    r.accessToken === badToken ? gatewayError(code, "Token 不存在") : ok({ via: r.accessToken });
}

async function caught(promise: Promise<unknown>): Promise<YouzanError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isYouzanError(error)) return expect.fail(`expected a YouzanError, got ${String(error)}`);
  return error;
}

describe("token", () => {
  it("requests a silent token with JSON and sends API calls with it in the query", async () => {
    const net = createFakeYouzan({ now });
    const client = createYouzanClient(config, deps(net.fetch));
    await client.call("youzan.trade.get", "4.0.2", { tid: "E20250115100000000000001" });

    const [token, api] = net.requests;
    expect(token?.url.toString()).toBe("https://open.youzanyun.test/auth/token");
    expect(token?.method).toBe("POST");
    expect(token?.headers.get("content-type")).toBe("application/json");
    expect(token?.body).toEqual({
      client_id: "client-abc",
      client_secret: "s3cret-value",
      authorize_type: "silent",
      grant_id: "10001000",
      refresh: false,
    });
    expect(`${api?.url.origin}${api?.url.pathname}`).toBe(
      "https://open.youzanyun.test/api/youzan.trade.get/4.0.2",
    );
    expect(api?.accessToken).toBe("tok-1");
    expect(api?.method).toBe("POST");
    expect(api?.headers.get("content-type")).toBe("application/json");
    expect(api?.headers.get("user-agent")).toBe(USER_AGENT);
    expect(api?.body).toEqual({ tid: "E20250115100000000000001" });
  });

  it("asks for uncompressed answers (no zlib stream per call)", async () => {
    const net = createFakeYouzan({ now });
    await createYouzanClient(config, deps(net.fetch)).call("youzan.trade.get", "4.0.2", {});
    for (const request of net.requests) {
      expect(request.headers.get("accept-encoding")).toBe("identity");
    }
  });

  it("sends empty params as an object", async () => {
    const net = createFakeYouzan({ now });
    await createYouzanClient(config, deps(net.fetch)).call("youzan.x.get", "1.0.0", {});
    expect(net.apiRequests()[0]?.rawBody).toBe("{}");
  });

  it("is cached per app and shop across client instances", async () => {
    const net = createFakeYouzan({ now });
    const a = createYouzanClient(config, deps(net.fetch));
    const b = createYouzanClient(config, deps(net.fetch));
    expect(await a.getToken()).toBe("tok-1");
    expect(await b.getToken()).toBe("tok-1");
    await a.call("youzan.x.get", "1.0.0", {});
    await b.call("youzan.x.get", "1.0.0", {});
    expect(net.tokenRequests()).toHaveLength(1);

    const otherShop = createYouzanClient({ ...config, kdtId: "20002000" }, deps(net.fetch));
    expect(await otherShop.getToken()).toBe("tok-2");
    expect(net.tokenRequests()[1]?.body).toMatchObject({ grant_id: "20002000" });
  });

  it("is shared through the token store, not the process: another store asks again", async () => {
    const net = createFakeYouzan({ now });
    expect(await createYouzanClient(config, deps(net.fetch)).getToken()).toBe("tok-1");
    const elsewhere = createYouzanClient(config, {
      fetch: net.fetch,
      now,
      tokenStore: createMemoryTokenStore(),
    });
    expect(await elsewhere.getToken()).toBe("tok-2");
    // Without a store, a client keeps its token to itself.
    const alone = createYouzanClient(config, { fetch: net.fetch, now });
    expect(await alone.getToken()).toBe("tok-3");
    expect(await alone.getToken()).toBe("tok-3");
    expect(net.tokenRequests()).toHaveLength(3);
  });

  it("needs only a lock from a store: callers queued behind a mint use its token", async () => {
    // What a table-backed store does (`SELECT … FOR UPDATE`): no shared flight, each caller runs
    // its own `produce` once it holds the key, and sees the token stored before it.
    const memory = createMemoryTokenStore();
    let queue: Promise<unknown> = Promise.resolve();
    const locking: TokenStore = {
      ...memory,
      mint(key, produce) {
        const turn = queue.then(async () => {
          const token = await produce(await memory.token(key));
          await memory.mint(key, async () => token);
          return token;
        });
        queue = turn.catch(() => {});
        return turn;
      },
    };
    const net = createFakeYouzan({ now, api: rejecting("tok-1", 4203) });
    const client = createYouzanClient(config, { fetch: net.fetch, now, tokenStore: locking });
    const tokens = await Promise.all(Array.from({ length: 5 }, () => client.getToken()));
    expect(tokens).toEqual(Array(5).fill("tok-1"));
    const results = await Promise.all(
      Array.from({ length: 5 }, () => client.call("youzan.x.get", "1.0.0", {})),
    );
    expect(results).toEqual(Array(5).fill({ via: "tok-2" }));
    expect(net.tokenRequests()).toHaveLength(2);
  });

  it("is replaced (with refresh: true) 5 minutes before it expires", async () => {
    const net = createFakeYouzan({ now });
    const client = createYouzanClient(config, deps(net.fetch));
    expect(await client.getToken()).toBe("tok-1");

    clock = T0 + SEVEN_DAYS_MS - TOKEN_EXPIRY_MARGIN_MS - 1;
    expect(await client.getToken()).toBe("tok-1");
    expect(net.tokenRequests()).toHaveLength(1);

    clock = T0 + SEVEN_DAYS_MS - TOKEN_EXPIRY_MARGIN_MS;
    expect(await client.getToken()).toBe("tok-2");
    expect(net.tokenRequests()).toHaveLength(2);
    expect(net.tokenRequests()[1]?.body).toMatchObject({ refresh: true });
  });

  it("asks for a new token when a plain read returns one inside the margin", async () => {
    let first = true;
    const net = createFakeYouzan({
      now,
      token: (_request, mint) => {
        if (!first) return mint();
        first = false;
        const almostExpired = { access_token: "old", expires: T0 + 60_000, scope: "" };
        return { success: true, code: 200, message: null, data: almostExpired };
      },
    });
    const client = createYouzanClient(config, deps(net.fetch));
    expect(await client.getToken()).toBe("tok-1");
    expect(net.tokenRequests().map((r) => (r.body as { refresh: boolean }).refresh)).toEqual([
      false,
      true,
    ]);
  });

  it("single-flights 20 concurrent callers into one token request", async () => {
    const net = createFakeYouzan({ now });
    const client = createYouzanClient(config, deps(net.fetch));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0 ? client.getToken() : client.call("youzan.x.get", "1.0.0", { i }),
      ),
    );
    expect(net.tokenRequests()).toHaveLength(1);
    expect(net.apiRequests()).toHaveLength(10);
    expect(net.apiRequests().every((r) => r.accessToken === "tok-1")).toBe(true);
    expect(results.filter((r) => r === "tok-1")).toHaveLength(10);
  });

  it("gives every concurrent caller the outcome of one failed token request", async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const net = createFakeYouzan({
      now,
      token: async () => {
        await released;
        return rawResponse("", 502);
      },
    });
    const client = createYouzanClient(config, deps(net.fetch));
    const callers = Array.from({ length: 5 }, () => caught(client.getToken()));
    release();
    const errors = await Promise.all(callers);
    expect(errors.map((e) => e.code)).toEqual(Array(5).fill("unavailable"));
    expect(net.tokenRequests()).toHaveLength(1);
  });

  it.each<[number | string, string]>([
    [200, "number"],
    ["200", "string"],
  ])("accepts the success code %j (%s)", async (code) => {
    const net = createFakeYouzan({
      now,
      token: () => ({ success: true, code, data: { access_token: "t", expires: T0 + 1e9 } }),
    });
    expect(await createYouzanClient(config, deps(net.fetch)).getToken()).toBe("t");
  });

  it.each([
    [1000, "app info wrong"],
    [1004, "授权已过期"],
    [1005, "code 无效"],
    [1103, "Client 不存在"],
    [1105, "应用类型错误"],
  ])("maps token error %d to a non-retryable auth error", async (code, message) => {
    const net = createFakeYouzan({
      now,
      token: () => ({ success: false, code, data: null, message }),
    });
    const client = createYouzanClient(config, deps(net.fetch));
    const error = await caught(client.call("youzan.x.get", "1.0.0", {}));
    expect(error.code).toBe("auth");
    expect(error.retryable).toBe(false);
    expect(error.vendor).toEqual({ code, message });
    expect(net.apiRequests()).toHaveLength(0);
  });

  it("does not cache a failed token request", async () => {
    let fail = true;
    const net = createFakeYouzan({
      now,
      token: (_r, mint) => (fail ? rawResponse("", 502) : mint()),
    });
    const client = createYouzanClient(config, deps(net.fetch));
    expect((await caught(client.getToken())).code).toBe("unavailable");
    fail = false;
    expect(await client.getToken()).toBe("tok-1");
  });

  it.each([
    [T0 + SEVEN_DAYS_MS, T0 + SEVEN_DAYS_MS], // epoch ms, as documented
    [(T0 + SEVEN_DAYS_MS) / 1000, T0 + SEVEN_DAYS_MS], // epoch seconds
    [604800, T0 + SEVEN_DAYS_MS], // a TTL in seconds
  ])("reads expires %d as the instant %d", (expires, instant) => {
    expect(tokenExpiryMs(expires, T0)).toBe(instant);
  });
});

describe("token refused by the gateway", () => {
  it.each([4201, 4202, 4203])("%d → one forced refresh, one retry, then success", async (code) => {
    const net = createFakeYouzan({ now, api: rejecting("tok-1", code) });
    const client = createYouzanClient(config, deps(net.fetch));
    await expect(client.call("youzan.x.get", "1.0.0", {})).resolves.toEqual({ via: "tok-2" });
    expect(net.tokenRequests().map((r) => r.body)).toMatchObject([
      { refresh: false },
      { refresh: true },
    ]);
    expect(net.apiRequests().map((r) => r.accessToken)).toEqual(["tok-1", "tok-2"]);
    // The new token is cached for the next call.
    await client.call("youzan.x.get", "1.0.0", {});
    expect(net.tokenRequests()).toHaveLength(2);
  });

  it("also refreshes on the legacy 40010 error_response", async () => {
    const net = createFakeYouzan({
      now,
      api: (r) =>
        r.accessToken === "tok-1"
          ? { error_response: { code: 40010, msg: "参数 token 无效", sub_code: 10000 } }
          : { response: { ok: true } },
    });
    const client = createYouzanClient(config, deps(net.fetch));
    await expect(client.call("youzan.x.get", "3.0.0", {})).resolves.toEqual({ ok: true });
    expect(net.tokenRequests()).toHaveLength(2);
  });

  it("a second refusal is an auth error, after exactly one refresh and one retry", async () => {
    const net = createFakeYouzan({ now, api: () => gatewayError(4203, "Token 不存在") });
    const client = createYouzanClient(config, deps(net.fetch));
    const error = await caught(client.call("youzan.x.get", "1.0.0", {}));
    expect(error.code).toBe("auth");
    expect(error.retryable).toBe(false);
    expect(error.vendor?.code).toBe(4203);
    expect(net.tokenRequests()).toHaveLength(2);
    expect(net.apiRequests()).toHaveLength(2);
  });

  it("a refresh refused by the token endpoint is an auth error", async () => {
    const net = createFakeYouzan({
      now,
      api: rejecting("tok-1", 4202),
      token: (r, mint) =>
        (r.body as { refresh: boolean }).refresh
          ? { success: false, code: 1103, message: "授权关系不存在", data: null }
          : mint(),
    });
    const error = await caught(
      createYouzanClient(config, deps(net.fetch)).call("youzan.x.get", "1.0.0", {}),
    );
    expect(error.code).toBe("auth");
    expect(net.apiRequests()).toHaveLength(1);
  });

  it("concurrent callers refused with the same token share one refresh", async () => {
    const net = createFakeYouzan({ now, api: rejecting("tok-1", 4203) });
    const client = createYouzanClient(config, deps(net.fetch));
    await client.getToken();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => client.call("youzan.x.get", "1.0.0", {})),
    );
    expect(results).toEqual(Array.from({ length: 10 }, () => ({ via: "tok-2" })));
    expect(net.tokenRequests()).toHaveLength(2);
    expect(net.apiRequests()).toHaveLength(20);
  });

  it("a caller refused after another already replaced the token reuses the new one", async () => {
    let arrive!: () => void;
    let release!: () => void;
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    const net = createFakeYouzan({
      now,
      api: async (r) => {
        if ((r.body as { slow?: boolean }).slow && r.accessToken === "tok-1") {
          arrive();
          await released;
        }
        return rejecting("tok-1", 4203)(r);
      },
    });
    const client = createYouzanClient(config, deps(net.fetch));
    const slow = client.call("youzan.x.get", "1.0.0", { slow: true });
    await arrived;
    // Another caller meets the 4203, refreshes and succeeds while the slow call is pending.
    await expect(client.call("youzan.x.get", "1.0.0", {})).resolves.toEqual({ via: "tok-2" });
    release();
    await expect(slow).resolves.toEqual({ via: "tok-2" });
    expect(net.tokenRequests()).toHaveLength(2);
  });
});

describe("rate limiting (4101)", () => {
  it("backs off 3/6/12/24/48 s without touching the network, and resets on success", async () => {
    let limited = true;
    const net = createFakeYouzan({
      now,
      api: () => (limited ? gatewayError(4101, "调用频率超限") : ok({ fine: true })),
    });
    const client = createYouzanClient(config, deps(net.fetch));
    const call = () => client.call("youzan.x.get", "1.0.0", {});

    for (const windowMs of [3000, 6000, 12_000, 24_000, 48_000, 48_000]) {
      const first = await caught(call());
      expect(first).toMatchObject({ code: "rate_limited", retryable: true });
      expect(first.vendor?.code).toBe(4101);
      const sent = net.apiRequests().length;

      clock += windowMs - 1;
      const blocked = await caught(call());
      expect(blocked).toMatchObject({ code: "rate_limited", retryable: true });
      expect(net.apiRequests()).toHaveLength(sent); // refused locally
      clock += 1;
    }

    limited = false;
    await expect(call()).resolves.toEqual({ fine: true });
    limited = true;
    await caught(call());
    clock += 3000; // back to the first step
    limited = false;
    await expect(call()).resolves.toEqual({ fine: true });
  });

  it("holds back every client of the same app and shop, not other shops", async () => {
    const net = createFakeYouzan({ now, api: () => gatewayError(4101) });
    await caught(createYouzanClient(config, deps(net.fetch)).call("a.b", "1.0.0", {}));
    const sent = net.apiRequests().length;
    const sibling = createYouzanClient(config, deps(net.fetch));
    expect((await caught(sibling.call("a.b", "1.0.0", {}))).code).toBe("rate_limited");
    expect(net.apiRequests()).toHaveLength(sent);

    const other = createYouzanClient({ ...config, kdtId: "30003000" }, deps(net.fetch));
    await caught(other.call("a.b", "1.0.0", {}));
    expect(net.apiRequests()).toHaveLength(sent + 1);
  });
});

describe("transport failures", () => {
  it("times out a request that never answers → unavailable", async () => {
    const net = createFakeYouzan({ now });
    const hanging: typeof fetch = (input, init) =>
      String(input).includes("/auth/token") ? net.fetch(input, init) : new Promise(() => {});
    const client = createYouzanClient({ ...config, timeoutMs: 30 }, deps(hanging));
    const error = await caught(client.call("youzan.x.get", "1.0.0", {}));
    expect(error).toMatchObject({ code: "unavailable", retryable: true });
    expect(error.message).toMatch(/timed out after 30 ms/);
  });

  it("times out a token request too", async () => {
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_, reject) =>
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)),
      );
    const client = createYouzanClient({ ...config, timeoutMs: 20 }, deps(hanging));
    expect((await caught(client.getToken())).code).toBe("unavailable");
  });

  it.each([
    ["HTTP 502", () => rawResponse("<html>Bad Gateway</html>", 502)],
    ["HTTP 500 with JSON", () => rawResponse(JSON.stringify(ok({})), 500)],
    ["an empty body", () => rawResponse("")],
    ["a non-JSON body", () => rawResponse("response invalid, data: ")],
    ["JSON in no known envelope", () => rawResponse("[]")],
    ["an object in no known envelope", () => rawResponse('{"hello":"world"}')],
  ])("%s → unavailable", async (_label, reply) => {
    const net = createFakeYouzan({ now, api: reply });
    const error = await caught(
      createYouzanClient(config, deps(net.fetch)).call("youzan.x.get", "1.0.0", {}),
    );
    expect(error).toMatchObject({ code: "unavailable", retryable: true });
  });

  it("a network error → unavailable", async () => {
    const failing: typeof fetch = () => Promise.reject(new TypeError("fetch failed"));
    const error = await caught(createYouzanClient(config, deps(failing)).getToken());
    expect(error).toMatchObject({ code: "unavailable", retryable: true });
  });
});

describe("envelopes", () => {
  const call = async (reply: unknown) => {
    const net = createFakeYouzan({ now, api: () => reply });
    return createYouzanClient(config, deps(net.fetch)).call("youzan.x.get", "1.0.0", {});
  };

  it.each([
    ["4.x business, code 200", ok({ a: 1 }), { a: 1 }],
    ['4.x business, code "200"', { code: "200", success: true, data: { a: 1 } }, { a: 1 }],
    ["legacy response", { response: { a: 1 } }, { a: 1 }],
  ])("success: %s → the unwrapped value", async (_label, reply, data) => {
    await expect(call(reply)).resolves.toEqual(data);
  });

  it.each([
    ["gateway err_msg", gatewayError(4005, "api not found"), "invalid_request", 4005],
    [
      "gateway err_message",
      { gw_err_resp: { err_code: 4204, err_message: "no permission" } },
      "invalid_request",
      4204,
    ],
    [
      "business not found",
      { code: 5000, success: false, message: "trade not found", data: { full_order_info: {} } },
      "not_found",
      5000,
    ],
    [
      "business failure",
      { code: 141500101, success: false, message: "店铺状态异常", data: null },
      "rejected",
      141500101,
    ],
    [
      "legacy not found",
      { error_response: { code: 50000, msg: "交易不存在" } },
      "not_found",
      50000,
    ],
    [
      "legacy business error",
      { error_response: { code: 50000, message: "店铺ID与网点编号不相符" } },
      "rejected",
      50000,
    ],
    [
      "legacy bad params",
      { error_response: { code: 41000, msg: "参数错误" } },
      "invalid_request",
      41000,
    ],
  ])("failure: %s → %s", async (_label, reply, code, vendorCode) => {
    const error = await caught(call(reply));
    expect(error.code).toBe(code);
    expect(error.vendor?.code).toBe(vendorCode);
  });
});

describe("logging", () => {
  it("logs api, version, duration and outcome, never the token or the secret", async () => {
    const net = createFakeYouzan({ now, api: rejecting("tok-1", 4203) });
    const client = createYouzanClient(config, deps(net.fetch));
    await client.call("youzan.trade.get", "4.0.2", {});
    await caught(
      createYouzanClient(
        config,
        deps(createFakeYouzan({ now, api: () => gatewayError(4005) }).fetch),
      ).call("youzan.nope.get", "1.0.0", {}),
    );

    const text = JSON.stringify(logs);
    expect(text).not.toMatch(/tok-\d/);
    expect(text).not.toContain(config.clientSecret);
    expect(logs).toContainEqual([
      "info",
      expect.objectContaining({
        api: "youzan.trade.get",
        version: "4.0.2",
        outcome: "ok",
        refreshed: true,
        durationMs: expect.any(Number),
      }),
      "youzan call",
    ]);
    expect(logs).toContainEqual([
      "warn",
      expect.objectContaining({
        api: "youzan.nope.get",
        outcome: "invalid_request",
        vendorCode: 4005,
      }),
      "youzan call failed",
    ]);
  });
});
