import { createHmac, timingSafeEqual } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { dingTalkSink, type RunAlert } from "@/lib/alerts";
import { gate, type Gate } from "../helpers/gate";
import { startTestServer, type TestServer } from "../helpers/http-server";

/*
 * The DingTalk sink over real HTTP, against a local robot that checks what DingTalk checks for a
 * signed ("加签") custom robot: the access token, a timestamp within an hour of its clock, the
 * HMAC-SHA256 signature recomputed with its own copy of the secret, and a markdown JSON body.
 * It answers as DingTalk does: HTTP 200 and `{"errcode":0}` or an errcode.
 */

const TOKEN = "robot-token-0123456789abcdef";
const SECRET = "SEC0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
const HOUR_MS = 3_600_000;

interface Received {
  url: URL;
  body: { msgtype?: string; markdown?: { title?: unknown; text?: unknown } };
}

interface Robot {
  webhookUrl: string;
  received: Received[];
  server: TestServer;
}

const servers: TestServer[] = [];
const gates: Gate[] = [];

afterEach(async () => {
  for (const g of gates.splice(0)) g.open();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** DingTalk's errcode reply. */
const reply = (errcode: number, errmsg: string) => Response.json({ errcode, errmsg });

function signatureMatches(secret: string, timestamp: string, sign: string): boolean {
  const expected = createHmac("sha256", secret).update(`${timestamp}\n${secret}`).digest();
  const given = Buffer.from(sign, "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * A robot at `/robot/send`. With `secret` it requires a valid signature; `hold` makes it take the
 * request and never answer until the test ends.
 */
async function startRobot(options: { secret?: string; hold?: Gate } = {}): Promise<Robot> {
  const received: Received[] = [];
  const server = await startTestServer((request, url) => {
    if (request.method !== "POST" || url.pathname !== "/robot/send") return undefined;
    return async () => {
      let body: Received["body"];
      try {
        body = (await request.json()) as Received["body"];
      } catch {
        return reply(400000, "invalid json");
      }
      received.push({ url, body });
      if (options.hold) await options.hold.pass();
      if (url.searchParams.get("access_token") !== TOKEN)
        return reply(300001, "token is not exist");
      if (options.secret) {
        const timestamp = url.searchParams.get("timestamp") ?? "";
        const sign = url.searchParams.get("sign") ?? "";
        if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() - Number(timestamp)) > HOUR_MS) {
          return reply(310000, "invalid timestamp");
        }
        if (!signatureMatches(options.secret, timestamp, sign)) {
          return reply(310000, "sign not match");
        }
      }
      if (
        request.headers.get("content-type")?.startsWith("application/json") !== true ||
        body.msgtype !== "markdown" ||
        typeof body.markdown?.title !== "string" ||
        typeof body.markdown.text !== "string"
      ) {
        return reply(40035, "缺少参数 markdown");
      }
      return reply(0, "ok");
    };
  });
  servers.push(server);
  return { webhookUrl: `${server.url}/robot/send?access_token=${TOKEN}`, received, server };
}

function alert(overrides: Partial<RunAlert> = {}): RunAlert {
  return {
    job: "charge",
    runId: "run_it1",
    startedAt: new Date(),
    dryRun: false,
    items: [
      {
        kind: "not_retryable",
        agreementId: "agr_1",
        code: "ACQ.BALANCE_NOT_ENOUGH",
        message: "余额不足",
      },
    ],
    totals: { claimed: 3, succeeded: 2, failed: 1 },
    ...overrides,
  };
}

describe("dingTalkSink against a local robot", () => {
  it("delivers a signed markdown message the robot accepts", async () => {
    const robot = await startRobot({ secret: SECRET });
    const sink = dingTalkSink({ webhookUrl: robot.webhookUrl, secret: SECRET });
    await expect(sink.send(alert())).resolves.toEqual({ delivered: true });
    expect(robot.received).toHaveLength(1);
    const [message] = robot.received;
    expect(message!.url.searchParams.get("timestamp")).toMatch(/^\d{13}$/);
    expect(message!.body.markdown?.title).toBe("小铺：计费任务需要处理（charge）");
    expect(message!.body.markdown?.text).toContain("余额不足");
    expect(JSON.stringify(message!.body)).not.toContain(SECRET);
  });

  it("a wrong secret: the robot answers 310000 and the sink reports it without throwing", async () => {
    const robot = await startRobot({ secret: SECRET });
    const sink = dingTalkSink({ webhookUrl: robot.webhookUrl, secret: "SECnot-the-robots-secret" });
    const delivery = await sink.send(alert());
    expect(delivery.delivered).toBe(false);
    expect(delivery.reason).toContain("310000");
    expect(delivery.reason).toContain("sign not match");
    expect(robot.received).toHaveLength(1);
  });

  it("a timestamp more than an hour off is refused (310000)", async () => {
    const robot = await startRobot({ secret: SECRET });
    const sink = dingTalkSink({
      webhookUrl: robot.webhookUrl,
      secret: SECRET,
      now: () => Date.now() - 2 * HOUR_MS,
    });
    const delivery = await sink.send(alert());
    expect(delivery).toEqual({ delivered: false, reason: "errcode 310000: invalid timestamp" });
  });

  it("an unsigned webhook carries no timestamp or sign", async () => {
    const robot = await startRobot();
    const sink = dingTalkSink({ webhookUrl: robot.webhookUrl, secret: null });
    await expect(sink.send(alert())).resolves.toEqual({ delivered: true });
    const [message] = robot.received;
    expect(message!.url.searchParams.has("timestamp")).toBe(false);
    expect(message!.url.searchParams.has("sign")).toBe(false);
    expect([...message!.url.searchParams.keys()]).toEqual(["access_token"]);
  });

  it("a robot that is down: not delivered, by refusal rather than by timeout", async () => {
    const robot = await startRobot({ secret: SECRET });
    await robot.server.close();
    servers.splice(servers.indexOf(robot.server), 1);
    // A timeout far beyond the test's own limit: the result must come from the refused
    // connection, not from waiting the timeout out.
    const sink = dingTalkSink({ webhookUrl: robot.webhookUrl, secret: SECRET, timeoutMs: 60_000 });
    const delivery = await sink.send(alert());
    expect(delivery.delivered).toBe(false);
    expect(delivery.reason).toMatch(/^network error/);
  }, 5_000);

  it("a robot that never answers: not delivered once timeoutMs has passed", async () => {
    const hold = gate();
    gates.push(hold);
    const robot = await startRobot({ secret: SECRET, hold });
    const sink = dingTalkSink({ webhookUrl: robot.webhookUrl, secret: SECRET, timeoutMs: 200 });
    const delivery = await sink.send(alert());
    expect(delivery).toEqual({ delivered: false, reason: "timed out after 200 ms" });
    // The robot did get the request: the sink gave up on the answer, not on connecting.
    expect(hold.arrivals).toBe(1);
  });

  it("a reply that is not DingTalk's: not delivered", async () => {
    const server = await startTestServer(
      () => async () => new Response("<html>502</html>", { status: 502 }),
    );
    servers.push(server);
    const sink = dingTalkSink({ webhookUrl: `${server.url}/robot/send?access_token=${TOKEN}` });
    await expect(sink.send(alert())).resolves.toEqual({ delivered: false, reason: "HTTP 502" });
  });

  it("nothing to report: nothing reaches the robot", async () => {
    const robot = await startRobot({ secret: SECRET });
    const sink = dingTalkSink({ webhookUrl: robot.webhookUrl, secret: SECRET });
    await expect(sink.send(alert({ items: [] }))).resolves.toEqual({
      delivered: false,
      reason: "nothing_to_report",
    });
    expect(robot.received).toEqual([]);
  });
});
