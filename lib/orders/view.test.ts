import { describe, expect, it } from "vitest";
import { decodeQrDataUrl } from "@/tests/e2e/qr";
import { qrPngOf } from "./view";

describe("qrPngOf (the checkout's saved QR code)", () => {
  it.each([
    [
      "a Youzan cashier URL",
      "https://cashier.youzan.com/pay/wsc_qr?qr_id=12345678&kdt_id=10001000",
    ],
    [
      "a long page.sign URL",
      `http://192.168.1.5:3000/sandbox/alipay/gateway.do?method=alipay.user.agreement.page.sign&sign=${"aB%2B".repeat(300)}`,
    ],
  ])("draws %s as a PNG that decodes to the same URL", async (_name, url) => {
    const png = await qrPngOf(url);
    expect(png.startsWith("data:image/png;base64,")).toBe(true);
    expect(decodeQrDataUrl(png)).toBe(url);
  });
});
