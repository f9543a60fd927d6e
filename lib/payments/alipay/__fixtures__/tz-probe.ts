/*
 * Run by timezone.test.ts in a child process whose TZ is set before anything loads: builds the
 * client from the keys and stub URL on stdin, makes one exec, one page URL and one order string,
 * and prints what it built (plus the process's own idea of local time) as one JSON line.
 */
import "server-only";
import { createAlipayGateway } from "../gateway";

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const input = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
    gatewayUrl: string;
    privateKey: string;
    alipayPublicKey: string;
  };
  const gateway = createAlipayGateway({
    gatewayUrl: input.gatewayUrl,
    appId: "2021000000000001",
    privateKey: input.privateKey,
    alipayPublicKey: input.alipayPublicKey,
    productCode: "GENERAL_WITHHOLDING",
    timeoutMs: 2000,
  });
  const terms = {
    externalAgreementNo: "XA1",
    periodDays: 30,
    singleAmountFen: 100,
    executeDate: "2025-02-14",
  };
  await gateway.queryTrade("XP1");
  const pageUrl = gateway.pageSignUrl({ ...terms, notifyUrl: "https://shop.test/a" });
  const orderString = gateway.appPayOrderString({
    outTradeNo: "XP1",
    amountFen: 100,
    subject: "s",
    notifyUrl: "https://shop.test/t",
    sign: { ...terms, signNotifyUrl: "https://shop.test/a" },
  });
  const now = new Date();
  process.stdout.write(
    `${JSON.stringify({ pageUrl, orderString, localHours: now.getHours(), utcHours: now.getUTCHours(), offset: now.getTimezoneOffset() })}\n`,
  );
}

void main();
