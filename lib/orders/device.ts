/*
 * What the checkout needs to know about the browser, from its User-Agent (read on the server, so
 * the page is rendered once, the same on both sides). A narrow desktop window gets the phone's
 * order of actions through CSS instead.
 */

const MOBILE = /Android|iPhone|iPad|iPod|Mobile|HarmonyOS|OpenHarmony|MicroMessenger|AlipayClient/i;
const WECHAT = /MicroMessenger/i;

export interface Device {
  /** A phone or tablet browser, or an app's in-app browser: paying happens on this device. */
  mobile: boolean;
  /** WeChat's in-app browser: no downloads, no Alipay links; long-press recognises QR codes. */
  wechat: boolean;
}

export function deviceOf(userAgent: string | null | undefined): Device {
  const ua = userAgent ?? "";
  return { mobile: MOBILE.test(ua), wechat: WECHAT.test(ua) };
}
