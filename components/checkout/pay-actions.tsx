import { getTranslations } from "next-intl/server";
import { buttonClass } from "@/components/ui/button";
import type { Device } from "@/lib/orders/device";

/**
 * The buyer's ways to pay on the device in their hand: open the QR's own URL (Youzan's cashier,
 * or Alipay's page.sign for a membership), or save the code as a PNG to scan from the album. On a
 * phone these come first and big; on a desktop they follow the QR code (a narrow desktop window
 * keeps the phone's order: the CSS reorders only from `sm` up).
 */
export async function PayActions({
  url,
  png,
  orderNo,
  kind,
  device,
}: {
  url: string;
  /** The code of `url` as a PNG data URL (`qrPngOf`): what "save" downloads. */
  png: string;
  orderNo: string;
  /** `pay`: a Youzan QR (WeChat or Alipay); `sign`: an Alipay agreement. */
  kind: "pay" | "sign";
  device: Device;
}) {
  const t = await getTranslations("checkout.pay");
  const size = device.mobile ? "w-full py-3 text-base" : "w-full py-2 sm:w-auto";
  return (
    <section
      className={`space-y-2 ${device.mobile ? "" : "sm:order-last"}`}
      data-testid="pay-actions"
      data-device={device.mobile ? "mobile" : "desktop"}
    >
      <div className={device.mobile ? "flex flex-col gap-2" : "flex flex-col gap-2 sm:flex-row"}>
        <a
          href={url}
          // The Youzan cashier opens beside the checkout, which keeps polling; Alipay's signing page
          // returns to the checkout by itself (return_url).
          target={kind === "pay" ? "_blank" : undefined}
          rel={kind === "pay" ? "noopener" : undefined}
          className={buttonClass(device.mobile ? "primary" : "secondary", size)}
          data-testid="pay-open"
        >
          {kind === "pay" ? t("open") : t("openSign")}
        </a>
        <a
          href={png}
          download={`xiaopu-${orderNo}.png`}
          className={buttonClass("secondary", size)}
          data-testid="pay-save"
        >
          {t("save")}
        </a>
      </div>
      <p className="text-xs text-stone-500">{kind === "pay" ? t("saveHint") : t("saveHintSign")}</p>
      {kind === "pay" ? (
        <p
          className={`text-xs ${device.wechat ? "font-medium text-stone-800" : "text-stone-500"}`}
          data-testid="pay-long-press"
        >
          {t("longPress")}
        </p>
      ) : device.wechat ? (
        <p className="rounded-lg bg-amber-50 p-3 text-sm text-amber-900" role="note">
          {t("wechatAlipay")}
        </p>
      ) : null}
    </section>
  );
}
