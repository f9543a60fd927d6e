import { simpleParser } from "mailparser";
import { NextRequest } from "next/server";
import { describe, expect, it, vi } from "vitest";
import {
  clearSandboxMail,
  countSandboxMail,
  getSandboxMail,
  insertSandboxMail,
  listSandboxMail,
} from "@/db/queries/sandbox-mail";
import type * as EnvModule from "@/lib/env";
import { renderNotice } from "@/lib/notices/render";
import { MAIL_PREVIEW_CSP } from "@/lib/notices/render-preview";
import { sandboxMailboxTransport } from "@/lib/notices/transport";
import type { NoticeView } from "@/lib/notices/views";
import { withTestDatabase } from "../helpers/db";

/*
 * The sandbox mailbox (issue #13): what the sandbox transport stores, the queries behind
 * /sandbox/mail, its routes called as plain functions (the control API, the HTML part under its
 * own policy, the raw .eml), the proxy's headers for the framed HTML part, and live mode, where
 * none of it exists.
 */

const mode = vi.hoisted(() => ({ sandbox: true }));
vi.mock("@/lib/env", async (importOriginal) => {
  const actual = await importOriginal<typeof EnvModule>();
  return { ...actual, getEnv: () => ({ ...actual.getEnv(), isSandbox: mode.sandbox }) };
});

const t = withTestDatabase();
const messagesRoute = await import("@/app/sandbox/mail/control/messages/route");
const clearRoute = await import("@/app/sandbox/mail/control/clear/route");
const htmlRoute = await import("@/app/sandbox/mail/[id]/html/route");
const rawRoute = await import("@/app/sandbox/mail/[id]/raw/route");
const { proxy } = await import("@/proxy");

const APP = "http://shop.test";
const FROM = "小铺 <no-reply@shop.test>";

const receipt = (orderNo: string, productTitle = "一个人的副业手册"): NoticeView => ({
  kind: "receipt",
  orderNo,
  productTitle,
  productKind: "one_off",
  credits: null,
  amountFen: 990,
  paidAt: new Date("2026-11-30T16:30:00Z"),
  libraryUrl: `${APP}/account/library`,
  ordersUrl: `${APP}/account/orders`,
});

/** Renders a notice and "sends" it through the sandbox transport into the mailbox. */
async function deliver(to: string, view: NoticeView, headers: Record<string, string> = {}) {
  const mail = renderNotice(view, { locale: "zh-CN", appUrl: APP, unsubscribeUrl: null, to });
  const transport = sandboxMailboxTransport({
    from: FROM,
    store: (entry) => insertSandboxMail(t.db(), entry),
  });
  await transport.send({
    to,
    ...mail,
    headers: { "X-Xiaopu-Notice": view.kind, ...headers },
    noticeId: `ntc_${view.kind}`,
  });
  return mail;
}

const get = (path: string) => new Request(`${APP}${path}`);
const post = (path: string) => new Request(`${APP}${path}`, { method: "POST" });
const idParams = (id: string | number) => ({ params: Promise.resolve({ id: String(id) }) });

interface ControlMessage {
  id: number;
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string | null;
  headers: Record<string, string>;
  kind: string | null;
  noticeId: string | null;
  receivedAt: string;
}

async function controlMessages(query = ""): Promise<ControlMessage[]> {
  const response = await messagesRoute.GET(get(`/sandbox/mail/control/messages${query}`), {});
  expect(response.status).toBe(200);
  return ((await response.json()) as { messages: ControlMessage[] }).messages;
}

describe("the mailbox's queries", () => {
  it("store what the transport hands over; list newest first, by recipient, a page at a time", async () => {
    const db = t.db();
    await deliver("a@example.com", receipt("XP1"));
    await deliver("b@example.com", receipt("XP2"));
    await deliver("a@example.com", receipt("XP3"));

    const all = await listSandboxMail(db, { limit: 10 });
    expect(all.map((m) => m.subject)).toEqual([
      "【小铺】付款成功，订单 XP3",
      "【小铺】付款成功，订单 XP2",
      "【小铺】付款成功，订单 XP1",
    ]);
    expect(all[0]).toMatchObject({
      mailFrom: FROM,
      mailTo: "a@example.com",
      noticeId: "ntc_receipt",
      headers: { "X-Xiaopu-Notice": "receipt" },
    });
    expect(all[0]).not.toHaveProperty("raw");

    // The recipient without case; keyset pages by id.
    const a = await listSandboxMail(db, { to: "  A@Example.COM ", limit: 10 });
    expect(a.map((m) => m.subject.slice(-3))).toEqual(["XP3", "XP1"]);
    const older = await listSandboxMail(db, { before: all[0]!.id, limit: 1 });
    expect(older.map((m) => m.subject.slice(-3))).toEqual(["XP2"]);
    expect(await countSandboxMail(db)).toBe(3);
    expect(await countSandboxMail(db, "a@example.com")).toBe(2);
    expect(await countSandboxMail(db, "nobody@example.com")).toBe(0);

    const one = await getSandboxMail(db, all[0]!.id);
    expect(one?.html).toContain("打开我的书架");
    expect(one?.text).toContain(`打开我的书架：${APP}/account/library`);
    expect(one?.raw).toMatch(/^Content-Type: multipart\/alternative/m);
    expect(await getSandboxMail(db, 999_999)).toBeNull();

    expect(await clearSandboxMail(db)).toBe(3);
    expect(await listSandboxMail(db, { limit: 10 })).toEqual([]);
  });
});

describe("the control API", () => {
  it("GET messages: newest first with bodies and headers, filtered by recipient", async () => {
    await deliver("buyer@example.com", receipt("XP1"));
    await deliver("other@example.com", receipt("XP2"));
    await deliver("buyer@example.com", receipt("XP3"), { "List-Unsubscribe": "<https://x>" });

    const mine = await controlMessages("?to=Buyer@example.com");
    expect(mine).toHaveLength(2);
    expect(mine[0]).toMatchObject({
      to: "buyer@example.com",
      from: FROM,
      subject: "【小铺】付款成功，订单 XP3",
      kind: "receipt",
      noticeId: "ntc_receipt",
      headers: { "X-Xiaopu-Notice": "receipt", "List-Unsubscribe": "<https://x>" },
    });
    expect(mine[0]!.text).toContain(`${APP}/account/library`);
    expect(mine[0]!.html).toContain("<!DOCTYPE html>");
    expect(new Date(mine[0]!.receivedAt).toISOString()).toBe(mine[0]!.receivedAt);
    expect(mine[0]!.id).toBeGreaterThan(mine[1]!.id);
    expect(await controlMessages()).toHaveLength(3);
    expect(await controlMessages("?limit=1")).toHaveLength(1);
    expect(await controlMessages("?to=nobody@example.com")).toEqual([]);

    for (const query of ["?limit=0", "?limit=abc", "?limit=500", "?to=", "?bogus=1"]) {
      const response = await messagesRoute.GET(get(`/sandbox/mail/control/messages${query}`), {});
      expect(response.status, query).toBe(422);
    }
  });

  it("POST clear empties the mailbox", async () => {
    await deliver("buyer@example.com", receipt("XP1"));
    await deliver("buyer@example.com", receipt("XP2"));
    const response = await clearRoute.POST(post("/sandbox/mail/control/clear"), {});
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, deleted: 2 });
    expect(await controlMessages()).toEqual([]);
  });
});

describe("the list's 清空邮箱 (a server action)", () => {
  it("empties the mailbox and goes back to the list", async () => {
    await deliver("buyer@example.com", receipt("XP1"));
    const actions = await import("@/app/sandbox/mail/actions");
    await expect(actions.clearMailboxAction()).rejects.toMatchObject({
      digest: expect.stringMatching(/^NEXT_REDIRECT;replace;\/sandbox\/mail;/),
    });
    expect(await countSandboxMail(t.db())).toBe(0);
  });
});

describe("a message's HTML part and raw message", () => {
  it("serves the HTML under the preview policy, links opening in a new tab", async () => {
    await deliver("buyer@example.com", receipt("XP1", `<script>alert("x")</script> & 'q'`));
    const [message] = await controlMessages();
    const response = await htmlRoute.GET(
      get(`/sandbox/mail/${message!.id}/html`),
      idParams(message!.id),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("content-security-policy")).toBe(MAIL_PREVIEW_CSP);
    expect(response.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await response.text();
    expect(html).toMatch(/<head>\n<base target="_blank">\n<meta charset="utf-8">/);
    expect(html).toContain(`href="${APP}/account/library"`);
    // The hostile title stays text.
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;");
  });

  it("the raw message downloads as .eml and parses back to the same mail", async () => {
    const mail = await deliver("buyer@example.com", receipt("XP1"), {
      "List-Unsubscribe": "<https://shop.test/u>",
    });
    const [message] = await controlMessages();
    const response = await rawRoute.GET(
      get(`/sandbox/mail/${message!.id}/raw`),
      idParams(message!.id),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("message/rfc822");
    expect(response.headers.get("content-disposition")).toMatch(
      new RegExp(`^attachment; filename="xiaopu-mail-${message!.id}\\.eml"`),
    );
    const raw = Buffer.from(await response.arrayBuffer());
    expect(raw.toString("utf8")).toMatch(/^List-Unsubscribe: <https:\/\/shop\.test\/u>$/m);
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe(mail.subject);
    expect(parsed.text?.trim()).toBe(mail.text.trim());
    expect(parsed.html).toBe(mail.html);
    expect(parsed.headers.get("x-xiaopu-notice")).toBe("receipt");
  });

  it("answers 404 for an unknown id, a malformed id, and a message without HTML", async () => {
    const db = t.db();
    await insertSandboxMail(db, {
      messageId: "<plain@shop.test>",
      from: FROM,
      to: "buyer@example.com",
      subject: "plain",
      html: "",
      text: "only text",
      headers: {},
      raw: "Subject: plain\n\nonly text\n",
      noticeId: "",
    });
    const [plain] = await controlMessages();
    expect(plain).toMatchObject({ html: null, noticeId: null, kind: null });
    const cases: [Promise<Response>, number][] = [
      [htmlRoute.GET(get("/x"), idParams(plain!.id)), 404],
      [htmlRoute.GET(get("/x"), idParams(999_999)), 404],
      [htmlRoute.GET(get("/x"), idParams("1 or 1=1")), 404],
      [htmlRoute.GET(get("/x"), idParams("99999999999999999999")), 404],
      [rawRoute.GET(get("/x"), idParams("abc")), 404],
      [rawRoute.GET(get("/x"), idParams(999_999)), 404],
      [rawRoute.GET(get("/x"), idParams(plain!.id)), 200],
    ];
    for (const [response, status] of cases) expect((await response).status).toBe(status);
  });
});

describe("the proxy's headers", () => {
  const headersOf = async (path: string) => (await proxy(new NextRequest(`${APP}${path}`))).headers;

  it("let only the HTML part be framed, by this origin, under the preview policy", async () => {
    const framed = await headersOf("/sandbox/mail/12/html");
    expect(framed.get("content-security-policy")).toBe(MAIL_PREVIEW_CSP);
    expect(framed.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(framed.get("x-content-type-options")).toBe("nosniff");
    for (const path of [
      "/sandbox/mail",
      "/sandbox/mail/12",
      "/sandbox/mail/12/raw",
      "/sandbox/mail/12/html/x",
      "/sandbox/mail/abc/html",
      "/account/library",
    ]) {
      const headers = await headersOf(path);
      expect(headers.get("content-security-policy"), path).toContain("frame-ancestors 'none'");
      expect(headers.get("x-frame-options"), path).toBe("DENY");
    }
  });

  it("in live mode the path is framed by no one, like the rest", async () => {
    mode.sandbox = false;
    try {
      const headers = await headersOf("/sandbox/mail/12/html");
      expect(headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(headers.get("x-frame-options")).toBe("DENY");
    } finally {
      mode.sandbox = true;
    }
  });
});

describe("live mode", () => {
  it("has no mailbox: every route answers 404 and nothing is read or cleared", async () => {
    await deliver("buyer@example.com", receipt("XP1"));
    const [message] = await controlMessages();
    mode.sandbox = false;
    try {
      const answers = [
        await messagesRoute.GET(get("/sandbox/mail/control/messages"), {}),
        await clearRoute.POST(post("/sandbox/mail/control/clear"), {}),
        await htmlRoute.GET(get("/x"), idParams(message!.id)),
        await rawRoute.GET(get("/x"), idParams(message!.id)),
      ];
      for (const response of answers) {
        expect(response.status).toBe(404);
        expect(await response.json()).toMatchObject({ error: { code: "not_found" } });
      }
      // The pages and the clear action call notFound() before anything else.
      const notFound = { digest: expect.stringContaining("404") };
      const list = await import("@/app/sandbox/mail/page");
      const viewer = await import("@/app/sandbox/mail/[id]/page");
      const actions = await import("@/app/sandbox/mail/actions");
      await expect(list.default({ searchParams: Promise.resolve({}) })).rejects.toMatchObject(
        notFound,
      );
      await expect(viewer.default(idParams(message!.id))).rejects.toMatchObject(notFound);
      await expect(actions.clearMailboxAction()).rejects.toMatchObject(notFound);
    } finally {
      mode.sandbox = true;
    }
    expect(await countSandboxMail(t.db())).toBe(1);
  });
});
