import { describe, expect, it } from "vitest";
import { deviceOf } from "./device";

const UA = {
  iphoneSafari:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 15_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.0 Mobile/15E148 Safari/604.1",
  androidChrome:
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
  wechatIphone:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44(0x18002c2e) NetType/WIFI Language/zh_CN",
  wechatWindows:
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.138 Safari/537.36 NetType/WIFI MicroMessenger/7.0.20.1781(0x6700143B) WindowsWechat(0x63090a13)",
  harmony:
    "Mozilla/5.0 (Phone; OpenHarmony 4.1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36 ArkWeb/4.1.6.1 Mobile HuaweiBrowser/5.0.4.300",
  desktopChrome:
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
  macSafari:
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15",
};

describe("deviceOf", () => {
  it.each([
    ["iphoneSafari", { mobile: true, wechat: false }],
    ["androidChrome", { mobile: true, wechat: false }],
    ["wechatIphone", { mobile: true, wechat: true }],
    // WeChat on a PC still opens links in its own browser: the phone's actions come first.
    ["wechatWindows", { mobile: true, wechat: true }],
    ["harmony", { mobile: true, wechat: false }],
    ["desktopChrome", { mobile: false, wechat: false }],
    ["macSafari", { mobile: false, wechat: false }],
  ] as const)("%s", (name, expected) => {
    expect(deviceOf(UA[name])).toEqual(expected);
  });

  it("treats a missing User-Agent as a desktop", () => {
    expect(deviceOf(null)).toEqual({ mobile: false, wechat: false });
    expect(deviceOf("")).toEqual({ mobile: false, wechat: false });
  });
});
