import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  rsaPair,
  startStubGateway,
  type RsaPair,
  type StubGateway,
} from "./__fixtures__/stub-gateway";

/*
 * The SDK stamps `timestamp` in the process's local time zone (spec §2.4 step 5); Alipay reads
 * it as Beijing time. The client overrides it: this runs the real client in child processes
 * whose TZ is set before anything loads, and checks what reached the gateway and what was signed.
 */

const ROOT = path.resolve(import.meta.dirname, "../../..");
const PROBE = path.join(import.meta.dirname, "__fixtures__", "tz-probe.ts");

let app: RsaPair;
let alipay: RsaPair;
let stub: StubGateway;

beforeAll(async () => {
  app = rsaPair();
  alipay = rsaPair();
  stub = await startStubGateway({
    appPublicKey: app.publicKey,
    alipayPrivateKey: alipay.privateKey,
  });
  stub.reply(() => ({
    kind: "answer",
    inner: { code: "40004", msg: "Business Failed", sub_code: "ACQ.TRADE_NOT_EXIST" },
  }));
});

afterAll(() => stub.close());

interface ProbeOutput {
  pageUrl: string;
  orderString: string;
  localHours: number;
  utcHours: number;
  offset: number;
}

function runProbe(tz: string): Promise<ProbeOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", PROBE], {
      cwd: ROOT,
      // A whole env of its own: TZ first of all; the rest keeps lib/env from writing secrets.
      env: {
        TZ: tz,
        NODE_ENV: "test",
        LOG_LEVEL: "silent",
        AUTH_SECRET: "a".repeat(32),
        CRON_SECRET: "c".repeat(16),
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`probe exited ${code}: ${err}`));
      resolve(JSON.parse(out.trim().split("\n").at(-1)!) as ProbeOutput);
    });
    child.stdin.end(
      JSON.stringify({
        gatewayUrl: stub.url,
        privateKey: app.privateKey,
        alipayPublicKey: alipay.publicKey,
      }),
    );
  });
}

/** Minutes between a `yyyy-MM-dd HH:mm:ss` read as GMT+8 and now. */
function minutesFromNow(timestamp: string): number {
  const instant = Date.parse(`${timestamp.replace(" ", "T")}+08:00`);
  return Math.abs(instant - Date.now()) / 60_000;
}

describe("timestamp in Asia/Shanghai whatever TZ is", () => {
  it.each([
    ["UTC", 0],
    ["America/New_York", null],
  ] as const)("TZ=%s", { timeout: 30_000 }, async (tz, offset) => {
    stub.requests.length = 0;
    const probe = await runProbe(tz);
    // The child really ran in that zone (New York is UTC−5 or −4).
    if (offset === 0) expect(probe.offset).toBe(0);
    else expect([240, 300]).toContain(probe.offset);

    const sent = stub.requests[0]?.query.timestamp;
    const paged = new URL(probe.pageUrl).searchParams.get("timestamp");
    const ordered = new URLSearchParams(probe.orderString).get("timestamp");
    for (const timestamp of [sent, paged, ordered]) {
      expect(timestamp).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      // Within a few minutes of now when read as Beijing time; 8+ hours off when not.
      expect(minutesFromNow(timestamp!)).toBeLessThan(5);
    }
    expect(stub.requests[0]?.signatureValid).toBe(true);
  });
});
