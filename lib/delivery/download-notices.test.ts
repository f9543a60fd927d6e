import { describe, expect, it } from "vitest";
import en from "@/messages/delivery.en.json";
import zh from "@/messages/delivery.zh-CN.json";
import { DOWNLOAD_NOTICES } from "./download";

/*
 * Every refusal the library page can be sent back with (`/account/library?download=<notice>`)
 * has its sentence in both languages: a notice without one would show next-intl's key instead.
 */
describe("the library's download notices", () => {
  it.each([
    ["zh-CN", zh],
    ["en", en],
  ])("each has a sentence in %s", (_locale, messages) => {
    const notices = messages.library.notice as Record<string, string>;
    for (const notice of DOWNLOAD_NOTICES) {
      expect(notices[notice], notice).toEqual(expect.stringMatching(/\S/));
    }
    expect(Object.keys(notices).sort()).toEqual([...DOWNLOAD_NOTICES].sort());
  });
});
