import { createHmac } from "node:crypto";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { AlertItem, RunAlert } from "./index";

// The logger is a dependency, not the module under test: a stub keeps the test free of
// configuration and lets it check what gets logged (and that no credential does).
const { logWarn, logInfo, logError } = vi.hoisted(() => ({
  logWarn: vi.fn(),
  logInfo: vi.fn(),
  logError: vi.fn(),
}));
vi.mock("@/lib/logger", () => ({
  moduleLogger: () => ({ error: logError, warn: logWarn, info: logInfo, debug: vi.fn() }),
}));

const { alertSinkFrom, dingTalkSink, formatRunAlert, logSink, signDingTalkUrl } =
  await import("./index");

const TOKEN = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const SECRET = "SECb1a2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";
const WEBHOOK = `https://oapi.dingtalk.com/robot/send?access_token=${TOKEN}`;
const NOW = 1_767_225_600_000; // 2026-01-01T00:00:00Z

function alert(overrides: Partial<RunAlert> = {}): RunAlert {
  return {
    job: "charge",
    runId: "run_7k2m",
    startedAt: new Date("2026-01-31T19:00:00Z"), // 2026-02-01 03:00 in Shanghai
    dryRun: false,
    items: [
      {
        kind: "not_retryable",
        agreementId: "agr_1",
        orderNo: "ord_1",
        code: "card_declined",
        message: "余额不足",
      },
    ],
    ...overrides,
  };
}

function items(n: number): AlertItem[] {
  return Array.from({ length: n }, (_, i) => ({
    kind: "retries_exhausted",
    agreementId: `agr_${i + 1}`,
    message: `第 ${i + 1} 次`,
  }));
}

interface Sent {
  url: URL;
  init: RequestInit | undefined;
  body: { msgtype: string; markdown: { title: string; text: string } };
}

/** A fetch that records each request and answers with `reply` (a DingTalk robot's reply). */
function recordingFetch(reply: () => Response | Promise<Response>) {
  const sent: Sent[] = [];
  const fetch = vi.fn<typeof globalThis.fetch>(async (input, init) => {
    sent.push({
      url: new URL(String(input)),
      init,
      body: JSON.parse(String(init?.body)) as Sent["body"],
    });
    return reply();
  });
  return { fetch, sent };
}

const ok = () => Response.json({ errcode: 0, errmsg: "ok" });

/** Everything the module logged, as one string, to look for credentials in. */
function logged(): string {
  return JSON.stringify([...logWarn.mock.calls, ...logInfo.mock.calls, ...logError.mock.calls]);
}

beforeEach(() => {
  logWarn.mockReset();
  logInfo.mockReset();
  logError.mockReset();
});

describe("signDingTalkUrl", () => {
  it("matches a vector computed independently (openssl dgst -sha256 -hmac)", () => {
    const signed = new URL(signDingTalkUrl(WEBHOOK, "SECtest", 1_700_000_000_000));
    expect(signed.searchParams.get("timestamp")).toBe("1700000000000");
    expect(signed.searchParams.get("sign")).toBe("aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g=");
    // The base64 `=` (and any `+`, `/`) is percent-encoded in the URL itself.
    expect(signed.search).toContain("&sign=aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g%3D");
  });

  it("appends timestamp and the HMAC-SHA256 of `timestamp\\nsecret`, keeping the access token", () => {
    const signed = new URL(signDingTalkUrl(WEBHOOK, SECRET, NOW));
    const expected = createHmac("sha256", SECRET).update(`${NOW}\n${SECRET}`).digest("base64");
    expect(signed.origin + signed.pathname).toBe("https://oapi.dingtalk.com/robot/send");
    expect(signed.searchParams.get("access_token")).toBe(TOKEN);
    expect(signed.searchParams.get("timestamp")).toBe(String(NOW));
    expect(signed.searchParams.get("sign")).toBe(expected);
    expect(signed.search).toContain(`sign=${encodeURIComponent(expected)}`);
  });

  it("replaces a timestamp and sign already in the URL", () => {
    const stale = `${WEBHOOK}&timestamp=1&sign=old`;
    const signed = new URL(signDingTalkUrl(stale, SECRET, NOW));
    expect(signed.searchParams.getAll("timestamp")).toEqual([String(NOW)]);
    expect(signed.searchParams.getAll("sign")).toHaveLength(1);
    expect(signed.searchParams.get("sign")).not.toBe("old");
  });

  it("refuses a URL that is not http(s), without repeating it", () => {
    for (const bad of [`ftp://oapi.dingtalk.com/robot/send?access_token=${TOKEN}`, "not a url"]) {
      expect(() => signDingTalkUrl(bad, SECRET, NOW)).toThrow(TypeError);
      try {
        signDingTalkUrl(bad, SECRET, NOW);
      } catch (error) {
        expect(String(error)).not.toContain(TOKEN);
      }
    }
  });
});

describe("formatRunAlert", () => {
  it("titles the message in Chinese with the job, and lists the items", () => {
    const { title, text } = formatRunAlert(alert());
    expect(title).toBe("小铺：计费任务需要处理（charge）");
    expect(text).toContain("小铺：计费任务需要处理（charge）");
    expect(text).toContain("2026-02-01 03:00:00（北京时间）");
    expect(text).toContain("扣款失败（不可重试）");
    expect(text).toContain("协议 agr\\_1");
    expect(text).toContain("订单 ord\\_1");
    expect(text).toContain("代码 card\\_declined");
    expect(text).toContain("余额不足");
    expect(text).toContain("共 1 项");
    expect(text).not.toContain("以及另外");
  });

  it("says when the run failed or was a dry run", () => {
    const failed = formatRunAlert(alert({ items: [], error: "database unreachable" }));
    expect(failed.title).toBe("小铺：计费任务失败（charge）");
    expect(failed.text).toContain("错误：database unreachable");
    const dry = formatRunAlert(alert({ dryRun: true }));
    expect(dry.title).toBe("小铺：计费任务需要处理（charge，演练）");
    expect(dry.text).toContain("演练");
  });

  it("lists at most 20 items by default, then how many more there are", () => {
    const { text } = formatRunAlert(alert({ items: items(25) }));
    expect(text).toContain("20. ");
    expect(text).not.toContain("21. ");
    expect(text).toContain("agr\\_20");
    expect(text).not.toContain("agr\\_21");
    expect(text).toContain("以及另外 5 项");
    expect(text).toContain("共 25 项");
  });

  it("takes maxItems", () => {
    const { text } = formatRunAlert(alert({ items: items(5) }), { maxItems: 2 });
    expect(text).toContain("2. ");
    expect(text).not.toContain("3. ");
    expect(text).toContain("以及另外 3 项");
  });

  it("stays under DingTalk's size cap however long the messages are", () => {
    const long = items(200).map((item) => ({ ...item, message: "长".repeat(5000) }));
    const { text } = formatRunAlert(alert({ items: long }), { maxItems: 200 });
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(16_000);
    expect(text).toMatch(/以及另外 \d+ 项/);
  });

  it("escapes markdown in vendor values and keeps each on one line", () => {
    const { text } = formatRunAlert(
      alert({
        items: [
          {
            kind: "not_retryable",
            code: "A*B",
            message:
              "**粗体** [点我](http://evil.test) <font color=red>x</font> `c` ~~s~~\n# 标题\n- 列表",
          },
        ],
      }),
    );
    expect(text).toContain("\\*\\*粗体\\*\\*");
    expect(text).toContain("\\[点我\\](http://evil.test)");
    expect(text).toContain("\\<font color=red\\>x\\</font\\>");
    expect(text).toContain("\\`c\\`");
    expect(text).toContain("\\~\\~s\\~\\~");
    expect(text).toContain("代码 A\\*B");
    // The newlines are gone: no line of the text starts with the vendor's heading or list.
    expect(text.split("\n").some((line) => line.startsWith("# 标题"))).toBe(false);
    expect(text.split("\n").some((line) => line.startsWith("- 列表"))).toBe(false);
  });

  it("translates known totals and shows unknown keys escaped", () => {
    const { text } = formatRunAlert(
      alert({ totals: { claimed: 10, succeeded: 8, failed: 2, odd_key: 1 } }),
    );
    expect(text).toContain("统计：处理 10，成功 8，失败 2，odd\\_key 1");
  });

  it("never carries a credential found in a message or an error", () => {
    const { title, text } = formatRunAlert(
      alert({
        job: `charge ${SECRET}`,
        error: `POST ${WEBHOOK}&timestamp=1&sign=abc failed`,
        items: [{ kind: "run_failed", message: `secret is ${SECRET}; Bearer abcdefghijklmnop` }],
      }),
    );
    for (const out of [title, text]) {
      expect(out).not.toContain(TOKEN);
      expect(out).not.toContain(SECRET);
      expect(out).not.toContain("abcdefghijklmnop");
    }
    expect(text).toContain("access\\_token=\\[redacted\\]");
  });
});

describe("dingTalkSink", () => {
  it("sends nothing when there is nothing to report", async () => {
    const { fetch } = recordingFetch(ok);
    const sink = dingTalkSink({ webhookUrl: WEBHOOK, secret: SECRET, fetch });
    await expect(sink.send(alert({ items: [] }))).resolves.toEqual({
      delivered: false,
      reason: "nothing_to_report",
    });
    expect(fetch).not.toHaveBeenCalled();
  });

  it("posts one signed markdown message, timestamped by `now`", async () => {
    const { fetch, sent } = recordingFetch(ok);
    const sink = dingTalkSink({ webhookUrl: WEBHOOK, secret: SECRET, fetch, now: () => NOW });
    await expect(sink.send(alert())).resolves.toEqual({ delivered: true });
    expect(sent).toHaveLength(1);
    const [request] = sent;
    expect(request!.init?.method).toBe("POST");
    expect(new Headers(request!.init?.headers).get("content-type")).toMatch(/^application\/json/);
    expect(request!.url.toString()).toBe(signDingTalkUrl(WEBHOOK, SECRET, NOW));
    expect(request!.body).toEqual({ msgtype: "markdown", markdown: formatRunAlert(alert()) });
    expect(logWarn).not.toHaveBeenCalled();
  });

  it("calls an unsigned webhook as it is when there is no secret", async () => {
    for (const secret of [undefined, null, "", "  "]) {
      const { fetch, sent } = recordingFetch(ok);
      const sink = dingTalkSink({ webhookUrl: WEBHOOK, secret, fetch });
      await expect(sink.send(alert())).resolves.toEqual({ delivered: true });
      expect(sent[0]!.url.toString()).toBe(WEBHOOK);
    }
  });

  it("keeps the robot's own token and secret out of the message", async () => {
    const { fetch, sent } = recordingFetch(ok);
    const sink = dingTalkSink({ webhookUrl: WEBHOOK, secret: "SECshort", fetch });
    await sink.send(alert({ items: [{ kind: "run_failed", message: `bad SECshort / ${TOKEN}` }] }));
    const body = JSON.stringify(sent[0]!.body);
    expect(body).not.toContain("SECshort");
    expect(body).not.toContain(TOKEN);
  });

  it.each([
    ["an errcode", () => Response.json({ errcode: 310000, errmsg: "sign not match" }), "310000"],
    ["a rate limit", () => Response.json({ errcode: 130101, errmsg: "send too fast" }), "130101"],
    ["a non-200 status", () => new Response("bad gateway", { status: 502 }), "HTTP 502"],
    ["a body that is not JSON", () => new Response("<html>"), "not JSON"],
    ["JSON without errcode", () => Response.json({ ok: true }), "without errcode"],
  ])("reports %s as not delivered, with a warning", async (_, reply, reason) => {
    const { fetch } = recordingFetch(reply);
    const sink = dingTalkSink({ webhookUrl: WEBHOOK, secret: SECRET, fetch });
    const delivery = await sink.send(alert());
    expect(delivery.delivered).toBe(false);
    expect(delivery.reason).toContain(reason);
    expect(logWarn).toHaveBeenCalledOnce();
    expect(logged()).not.toContain(TOKEN);
    expect(logged()).not.toContain(SECRET);
    expect(logged()).toContain("https://oapi.dingtalk.com/robot/send?[redacted]");
  });

  it("reports a network error as not delivered, without throwing", async () => {
    const fetch = vi.fn<typeof globalThis.fetch>(async () => {
      throw new TypeError("fetch failed", {
        cause: Object.assign(new Error(`connect ECONNREFUSED ${WEBHOOK}`), {
          code: "ECONNREFUSED",
        }),
      });
    });
    const sink = dingTalkSink({ webhookUrl: WEBHOOK, secret: SECRET, fetch });
    await expect(sink.send(alert())).resolves.toEqual({
      delivered: false,
      reason: "network error (ECONNREFUSED)",
    });
    expect(logged()).not.toContain(TOKEN);
  });

  it("gives up after timeoutMs even when fetch ignores its signal", async () => {
    const fetch = vi.fn<typeof globalThis.fetch>(() => new Promise<Response>(() => {}));
    const sink = dingTalkSink({ webhookUrl: WEBHOOK, fetch, timeoutMs: 20 });
    await expect(sink.send(alert())).resolves.toEqual({
      delivered: false,
      reason: "timed out after 20 ms",
    });
  });

  it("does not throw on a malformed alert or a broken clock", async () => {
    const { fetch } = recordingFetch(ok);
    const broken = dingTalkSink({ webhookUrl: WEBHOOK, secret: SECRET, fetch, now: () => NaN });
    const delivery = await broken.send(alert());
    expect(delivery).toEqual({ delivered: false, reason: "internal error (RangeError)" });
    const malformed = { ...alert(), items: null } as unknown as RunAlert;
    await expect(dingTalkSink({ webhookUrl: WEBHOOK, fetch }).send(malformed)).resolves.toEqual(
      expect.objectContaining({ delivered: false }),
    );
  });

  it("refuses a webhook URL that is not http(s) when it is built", () => {
    expect(() => dingTalkSink({ webhookUrl: "javascript:alert(1)" })).toThrow(TypeError);
    expect(() => dingTalkSink({ webhookUrl: "oapi.dingtalk.com/robot/send" })).toThrow(TypeError);
  });
});

describe("logSink and alertSinkFrom", () => {
  it("logSink writes the alert to the log and reports it delivered", async () => {
    await expect(logSink().send(alert())).resolves.toEqual({ delivered: true });
    expect(logWarn).toHaveBeenCalledOnce();
    const [fields, message] = logWarn.mock.calls[0]!;
    expect(message).toBe("小铺：计费任务需要处理（charge）");
    expect(fields).toMatchObject({ job: "charge", runId: "run_7k2m", itemCount: 1 });
  });

  it("logSink writes nothing when there is nothing to report", async () => {
    await expect(logSink().send(alert({ items: [] }))).resolves.toEqual({
      delivered: false,
      reason: "nothing_to_report",
    });
    expect(logWarn).not.toHaveBeenCalled();
  });

  it("alertSinkFrom logs when no webhook is configured", async () => {
    for (const webhookUrl of [null, "", "   "]) {
      logWarn.mockReset();
      const sink = alertSinkFrom({ webhookUrl, secret: SECRET });
      await expect(sink.send(alert())).resolves.toEqual({ delivered: true });
      expect(logWarn).toHaveBeenCalledOnce();
    }
  });

  it("alertSinkFrom falls back to the log, with an error, for a URL that is not http(s)", async () => {
    const sink = alertSinkFrom({ webhookUrl: `ftp://x.test/?access_token=${TOKEN}`, secret: null });
    expect(logError).toHaveBeenCalledOnce();
    await expect(sink.send(alert())).resolves.toEqual({ delivered: true });
    expect(logged()).not.toContain(TOKEN);
  });

  it("alertSinkFrom posts to DingTalk when a webhook is configured", async () => {
    const { fetch, sent } = recordingFetch(ok);
    vi.stubGlobal("fetch", fetch);
    try {
      const sink = alertSinkFrom({ webhookUrl: WEBHOOK, secret: SECRET });
      await expect(sink.send(alert())).resolves.toEqual({ delivered: true });
      expect(sent).toHaveLength(1);
      expect(sent[0]!.url.searchParams.get("sign")).toBeTruthy();
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
