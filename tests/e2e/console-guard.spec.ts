import { expect, test } from "./fixtures";

/*
 * The console guard of ./fixtures fails a test whose pages log an error, a React hydration warning
 * or an uncaught exception. The tests marked `test.fail()` must fail, and their bodies pass: only
 * the guard at the end can fail them, so a guard that stopped watching turns them red. Each waits
 * for the browser's event itself (the guard's listener, registered first, has seen it by then).
 */

test.describe("the console guard of every e2e test", () => {
  test("a console.error fails the test", async ({ page }) => {
    test.fail();
    await page.goto("/");
    const logged = page.waitForEvent("console");
    await page.evaluate(() => console.error("something broke"));
    await logged;
  });

  test("a React hydration warning fails the test", async ({ page }) => {
    test.fail();
    await page.goto("/");
    const logged = page.waitForEvent("console");
    await page.evaluate(() =>
      console.warn("A tree hydrated but some attributes of the server rendered HTML didn't match"),
    );
    await logged;
  });

  test("an uncaught exception fails the test", async ({ page }) => {
    test.fail();
    await page.goto("/");
    const thrown = page.waitForEvent("pageerror");
    await page.evaluate(() => {
      setTimeout(() => {
        throw new Error("thrown in a timer");
      }, 0);
    });
    await thrown;
  });

  test("a page opened in a second context is watched too", async ({ browser }) => {
    test.fail();
    const other = await browser.newContext();
    const page = await other.newPage();
    await page.goto("/");
    const logged = page.waitForEvent("console");
    await page.evaluate(() => console.error("in another context"));
    await logged;
    await other.close();
  });

  test("a subresource answering 404 fails the test", async ({ page }) => {
    test.fail();
    await page.goto("/");
    const logged = page.waitForEvent("console");
    await page.evaluate(() => {
      const img = document.createElement("img");
      img.src = "/no-such-image.png";
      document.body.append(img);
    });
    await logged;
  });

  test("a real hydration mismatch in the production build fails the test", async ({ page }) => {
    test.fail();
    // The server's HTML says one thing, the page's React payload another: React notices while
    // hydrating (as with the countdown that used the browser's clock).
    await page.route("/", async (route) => {
      const response = await route.fetch();
      const html = await response.text();
      const body = html.indexOf("<body");
      const changed = html.slice(0, body) + html.slice(body).replace(">小铺<", ">小舖<");
      expect(changed).not.toBe(html);
      await route.fulfill({ response, body: changed });
    });
    const reported = Promise.race([page.waitForEvent("pageerror"), page.waitForEvent("console")]);
    await page.goto("/");
    await reported;
  });

  test("a page that answers 404 on purpose passes (the shop's designed answer)", async ({
    page,
  }) => {
    const response = await page.goto("/products/no-such-product");
    expect(response?.status()).toBe(404);
  });

  test("a test may allow a message it provokes, naming why", async ({ page, consoleGuard }) => {
    consoleGuard.allow(/provoked on purpose/, "this test logs it itself");
    await page.goto("/");
    const logged = page.waitForEvent("console");
    await page.evaluate(() => console.error("provoked on purpose"));
    await logged;
    expect(consoleGuard.problems()).toEqual([]);
  });
});
