import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { createYouzanGateway, type YouzanGateway } from "@/lib/payments/youzan";
import type { YouzanTestbed } from "../../helpers/youzan-testbed";

/*
 * Youzan helpers of the fault matrix: the shop's real client pointed at the testbed's sandbox
 * with the test's clock (so the 4101 back-off and token expiry follow virtual time) and a
 * timeout of the test's choosing; pushes signed here (or forged); a receiver standing in for a
 * shop that dies before it answers, which keeps the exact bytes Youzan sent.
 */

/** The shop's Youzan client to this testbed's sandbox, on the test clock. */
export function clockedGateway(bed: YouzanTestbed, timeoutMs?: number): YouzanGateway {
  return createYouzanGateway(
    {
      baseUrl: `${bed.server.url}/sandbox/youzan`,
      ...bed.deps.youzanCredentials,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    },
    { now: () => bed.clock.current().getTime() },
  );
}

const md5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex");

/**
 * A `trade_TradePaid` push naming our QR code, as Youzan would send it: signed with the app's
 * secret, or with `forgedWith` instead (a bad signature).
 */
export function tradePaidPush(
  bed: YouzanTestbed,
  input: { qrId: string; msgId: string; forgedWith?: string },
): { body: string; headers: Record<string, string> } {
  const { clientId, clientSecret, kdtId } = bed.deps.youzanCredentials;
  const tid = "E20261202000000000000001";
  const msg = encodeURIComponent(
    JSON.stringify({
      qr_info: { qr_id: Number(input.qrId) },
      full_order_info: { order_info: { tid, status: "TRADE_PAID" } },
    }),
  );
  const body = JSON.stringify({
    client_id: clientId,
    id: tid,
    kdt_id: Number(kdtId),
    type: "trade_TradePaid",
    status: "TRADE_PAID",
    msg,
    msg_id: input.msgId,
    version: 1,
    sendCount: 0,
  });
  const secret = input.forgedWith ?? clientSecret;
  return {
    body,
    headers: {
      "content-type": "application/json",
      "event-sign": md5(clientId + body + secret),
      "event-type": "trade_TradePaid",
      "client-id": clientId,
    },
  };
}

export interface CaughtPush {
  body: string;
  headers: Record<string, string>;
  type: string;
  msgId: string;
}

/**
 * A push receiver that reads every delivery whole and then drops the connection without an
 * answer — a shop process that died before replying — so Youzan keeps the push for a retry.
 */
export async function startPushCatcher(): Promise<{
  url: string;
  caught: CaughtPush[];
  close(): Promise<void>;
}> {
  const caught: CaughtPush[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const parsed = JSON.parse(body) as { type?: string; msg_id?: string };
      caught.push({
        body,
        headers: plainHeaders(request.headers),
        type: String(parsed.type),
        msgId: String(parsed.msg_id),
      });
      response.socket?.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/webhooks/youzan`,
    caught,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function plainHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === "string") out[name] = value;
  }
  return out;
}
