import { randomBytes, randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import catalog from "../../messages/admin-catalog.zh-CN.json" with { type: "json" };
import content from "../../messages/admin-content.zh-CN.json" with { type: "json" };
import { expect, test } from "./fixtures";
import { SANDBOX_ADMIN, signIn } from "./helpers";

/*
 * Issue #12, the admin's content: on a new one-off product the admin uploads a PDF (the
 * progress bar shows while the browser sends it, the upload throttled so it can be seen), a
 * second file, reorders them, sees a forged PDF refused with the reason; writes a lesson with
 * its Markdown preview and edits it; then writes and publishes a members' post. Screenshots at
 * desktop width and at 390 × 844.
 */

const c = catalog.admin.catalog;
const k = content.admin.content;
const shots = "test-results/screenshots";
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

const pdf = (size: number) =>
  Buffer.concat([Buffer.from("%PDF-1.7\n"), randomBytes(Math.max(0, size - 9))]);

async function signInAsAdmin(page: Page) {
  await signIn(page, SANDBOX_ADMIN.email, SANDBOX_ADMIN.password, "/signin?callbackUrl=/admin");
  await expect(page.getByTestId("admin-shell")).toBeVisible();
}

/** A new one-off product through the editor; answers its editor's URL. */
async function newProduct(page: Page): Promise<string> {
  const slug = `e2e-course-${randomUUID().slice(0, 8)}`;
  await page.goto("/admin/products/new");
  const form = page.getByTestId("product-form");
  await form.getByLabel(c.form.slug).fill(slug);
  await form.getByLabel(c.form.nameZh).fill(`内容测试 ${slug.slice(-4)}`);
  await form.getByLabel(c.form.nameEn).fill("Content test");
  await form.getByLabel(c.form.descriptionZh).fill("端到端测试创建的课程。");
  await form.getByLabel(c.form.descriptionEn).fill("A course made by the end-to-end test.");
  await form.getByLabel(c.form.price).fill("9.90");
  await form.getByTestId("product-save").click();
  await expect(page).toHaveURL(/\/admin\/products\/prd_\w+\?saved=created$/);
  return new URL(page.url()).pathname;
}

test.describe("admin: files, lessons, members' posts", () => {
  test("upload with progress, reorder, refuse a forged file, a lesson with preview", async ({
    page,
    consoleGuard,
  }) => {
    test.setTimeout(120_000);
    consoleGuard.allow(/status of 415/, "the forged PDF is refused on purpose; the page says why");
    await page.setViewportSize(DESKTOP);
    await signInAsAdmin(page);
    const editor = await newProduct(page);
    await expect(page.getByTestId("product-stamp-pdfs")).toBeChecked();
    const files = page.getByTestId("content-files");
    await expect(files.getByText(k.files.empty)).toBeVisible();

    // A 4 MB PDF sent at 1 MB/s: the progress bar is there while it goes.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 1024 * 1024,
    });
    await files.getByTestId("content-file-input").setInputFiles({
      name: "第一册.pdf",
      mimeType: "application/pdf",
      buffer: pdf(4 * 1024 * 1024),
    });
    await files.getByTestId("content-file-upload").click();
    const progress = files.getByTestId("content-upload-progress");
    await expect(progress).toBeVisible();
    await page.screenshot({ path: `${shots}/admin-content-uploading.png`, fullPage: true });
    await expect(files.getByText(k.files.uploaded.replace("{name}", "第一册.pdf"))).toBeVisible({
      timeout: 30_000,
    });
    await expect(progress).toBeHidden();
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });

    await files.getByTestId("content-file-input").setInputFiles({
      name: "附录.pdf",
      mimeType: "application/pdf",
      buffer: pdf(20_000),
    });
    await files.getByTestId("content-file-upload").click();
    const names = files.getByTestId("content-file-name");
    await expect(names).toHaveCount(2);
    await expect(names.nth(0)).toContainText("第一册.pdf");
    await expect(names.nth(1)).toContainText("附录.pdf");
    await expect(files.getByTestId("content-file-type").first()).toHaveText("PDF");

    // Down with the first: the appendix is first now, and stays so after a reload.
    await files.getByTestId("content-file-down").first().click();
    await expect(files.getByText(k.files.reordered)).toBeVisible();
    await expect(names.nth(0)).toContainText("附录.pdf");
    await page.reload();
    await expect(page.getByTestId("content-file-name").nth(0)).toContainText("附录.pdf");

    // An HTML page called .pdf: refused, with the reason.
    await page.getByTestId("content-file-input").setInputFiles({
      name: "evil.pdf",
      mimeType: "application/pdf",
      buffer: Buffer.from("<!doctype html><script>alert(1)</script>"),
    });
    await page.getByTestId("content-file-upload").click();
    await expect(page.getByText(k.fieldErrors.file.type)).toBeVisible();
    await expect(page.getByTestId("content-file-name")).toHaveCount(2);

    // A lesson: the preview renders the Markdown as buyers will see it.
    const lessons = page.getByTestId("content-lessons");
    await lessons.getByTestId("content-lesson-add").click();
    const form = lessons.getByTestId("lesson-editor");
    await form.getByTestId("lesson-editor-titleZh").fill("第一课：准备");
    await form.getByTestId("lesson-editor-titleEn").fill("Lesson 1: Getting ready");
    await form
      .getByTestId("lesson-editor-bodyZh")
      .fill(
        "# 准备工作\n\n先读 **第一册**，再看附录。\n\n- 笔记本\n- 一支笔\n\n<script>alert(1)</script>",
      );
    await form.getByTestId("lesson-editor-videoUrl").fill("https://video.example.com/lesson-1");
    const preview = form.getByTestId("lesson-editor-preview");
    await expect(preview.getByRole("heading", { name: "准备工作" })).toBeVisible();
    await expect(preview.locator("strong")).toHaveText("第一册");
    await expect(preview.locator("li")).toHaveCount(2);
    await expect(preview.locator("script")).toHaveCount(0);
    await form.getByTestId("lesson-editor-save").click();
    await expect(form.getByTestId("lesson-editor-saved")).toHaveText(k.editor.created);
    await form.getByRole("button", { name: k.editor.close }).click();
    await expect(lessons.getByTestId("content-lesson-title")).toContainText("第一课：准备");

    // Edited: a new title, a non-https video refused first.
    await lessons.getByTestId("content-lesson-edit").click();
    const edit = lessons.getByTestId("lesson-editor");
    await edit.getByTestId("lesson-editor-videoUrl").fill("http://video.example.com/1");
    await edit.getByTestId("lesson-editor-titleZh").fill("第一课：开始之前");
    await edit.getByTestId("lesson-editor-save").click();
    await expect(edit.getByText(k.fieldErrors.videoUrl.https)).toBeVisible();
    await edit.getByTestId("lesson-editor-videoUrl").fill("https://video.example.com/1");
    await edit.getByTestId("lesson-editor-save").click();
    await expect(edit.getByTestId("lesson-editor-saved")).toHaveText(k.editor.updated);
    await expect(lessons.getByTestId("content-lesson-title")).toContainText("第一课：开始之前");
    await page.screenshot({ path: `${shots}/admin-content-product.png`, fullPage: true });

    // At phone width: the same page, one column.
    await page.setViewportSize(PHONE);
    await page.goto(editor);
    await expect(page.getByTestId("content-file")).toHaveCount(2);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.getByTestId("content-files").scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${shots}/admin-content-product-phone.png`, fullPage: true });
    await page.getByTestId("content-lesson-edit").click();
    await page.getByTestId("lesson-editor").scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${shots}/admin-content-lesson-phone.png`, fullPage: true });
  });

  test("a members' post: written with preview, published; the members' area at phone width", async ({
    page,
  }) => {
    await page.setViewportSize(DESKTOP);
    await signInAsAdmin(page);
    await page.getByRole("link", { name: content.admin.nav.members }).click();
    await expect(page.getByRole("heading", { name: k.members.title, level: 1 })).toBeVisible();
    const posts = page.getByTestId("content-posts");
    await posts.getByTestId("content-post-add").click();
    const form = posts.getByTestId("post-editor");
    const title = `本周更新 ${randomUUID().slice(0, 6)}`;
    await form.getByTestId("post-editor-titleZh").fill(title);
    await form.getByTestId("post-editor-titleEn").fill("This week");
    await form
      .getByTestId("post-editor-bodyZh")
      .fill("## 新内容\n\n[阅读全文](https://example.com)");
    await expect(
      form.getByTestId("post-editor-preview").getByRole("heading", { name: "新内容" }),
    ).toBeVisible();
    await form.getByTestId("post-editor-save").click();
    await expect(form.getByTestId("post-editor-saved")).toHaveText(k.editor.created);
    await form.getByRole("button", { name: k.editor.close }).click();
    const post = posts.getByTestId("content-post").filter({ hasText: title });
    await expect(post.getByTestId("content-post-status")).toHaveText(k.posts.draft);
    await post.getByTestId("content-post-publish").click();
    await expect(post.getByTestId("content-post-status")).toContainText("发布于");
    await expect(post.getByTestId("content-post-publish")).toHaveText(k.posts.unpublish);
    await page.screenshot({ path: `${shots}/admin-members.png`, fullPage: true });

    await page.setViewportSize(PHONE);
    await page.reload();
    await expect(page.getByTestId("content-post").filter({ hasText: title })).toBeVisible();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${shots}/admin-members-phone.png`, fullPage: true });
  });
});
