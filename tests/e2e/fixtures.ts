import {
  expect,
  test as base,
  type BrowserContext,
  type ConsoleMessage,
  type Page,
} from "@playwright/test";

export { expect };
export type { APIRequestContext, Browser, BrowserContext, Page } from "@playwright/test";

/*
 * Every spec imports `test` and `expect` from here: an automatic fixture watches every page the
 * test opens (in its own context and in any context it creates) and fails the test at the end
 * when a page logged an error, a React hydration warning, or threw an uncaught exception.
 */

/** React's hydration complaints: the dev build's words and the production build's error codes. */
const HYDRATION =
  /hydrat|did not match|server rendered (html|text)|Minified React error #(418|419|421|422|423|425)\b/i;

/**
 * Chromium logs "Failed to load resource: … status of 4xx" for every 4xx answer, the page itself
 * included. A test that opens a page which answers 403 or 404 on purpose (someone else's order, a
 * buyer on /admin) sees the shop's designed answer, not a fault: such a message is let through
 * only when it names the very document of a navigation that answered 4xx. The same message about
 * a script, an image, an icon or a fetch still fails the test.
 */
const FAILED_RESOURCE = /^Failed to load resource: the server responded with a status of 4\d\d\b/;

export interface ConsoleGuard {
  /**
   * Lets messages matching `pattern` through for this test only — for errors the test provokes on
   * purpose (say why in `reason`: it is printed when the test fails for another message).
   */
  allow(pattern: RegExp, reason: string): void;
  /** Everything recorded so far that counts as a problem. */
  problems(): string[];
}

interface Recorded {
  text: string;
  /** The resource a "Failed to load resource" message is about. */
  url?: string;
}

export const test = base.extend<{ consoleGuard: ConsoleGuard }>({
  consoleGuard: [
    async ({ browser, context }, use, testInfo) => {
      const recorded: Recorded[] = [];
      const documents4xx = new Set<string>();
      const allowed: { pattern: RegExp; reason: string }[] = [];
      const watched = new WeakSet<Page>();

      const watchPage = (page: Page) => {
        if (watched.has(page)) return;
        watched.add(page);
        const where = () => page.url() || "about:blank";
        page.on("console", (message: ConsoleMessage) => {
          const type = message.type();
          const text = message.text();
          if (type === "error" || (type === "warning" && HYDRATION.test(text))) {
            const url = message.location().url;
            const about = FAILED_RESOURCE.test(text) && url ? ` (${url})` : "";
            recorded.push({ text: `console.${type} on ${where()}: ${text}${about}`, url });
          }
        });
        page.on("pageerror", (error) => {
          recorded.push({ text: `uncaught on ${where()}: ${error.stack ?? error.message}` });
        });
        page.on("response", (response) => {
          const request = response.request();
          if (
            request.isNavigationRequest() &&
            request.resourceType() === "document" &&
            response.status() >= 400 &&
            response.status() < 500
          ) {
            documents4xx.add(response.url());
          }
        });
      };
      const watchContext = (ctx: BrowserContext) => {
        ctx.pages().forEach(watchPage);
        ctx.on("page", watchPage);
      };
      const onContext = (ctx: BrowserContext) => watchContext(ctx);

      watchContext(context);
      browser.on("context", onContext);

      const problems = () =>
        recorded
          .filter((entry) => {
            const bare = entry.text.replace(/^console\.error on \S+: /, "");
            if (FAILED_RESOURCE.test(bare) && entry.url && documents4xx.has(entry.url)) {
              return false;
            }
            return !allowed.some(({ pattern }) => pattern.test(entry.text));
          })
          .map((entry) => entry.text);

      await use({
        allow: (pattern, reason) => allowed.push({ pattern, reason }),
        problems,
      });

      browser.off("context", onContext);
      const found = problems();
      if (found.length > 0) {
        await testInfo.attach("console-problems.txt", {
          body: found.join("\n\n"),
          contentType: "text/plain",
        });
      }
      const reasons = allowed.map(({ pattern, reason }) => `${pattern}: ${reason}`);
      expect(
        found,
        `console errors, hydration warnings or uncaught exceptions${
          reasons.length ? ` (allowed in this test: ${reasons.join("; ")})` : ""
        }`,
      ).toEqual([]);
    },
    { auto: true },
  ],
});
