import type { ReactNode } from "react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import {
  GET as unsubscribeGet,
  POST as unsubscribePost,
} from "@/app/api/notices/unsubscribe/route";
import UnsubscribePage from "@/app/(shop)/notices/unsubscribe/page";
import { resubscribeAction, unsubscribeAction } from "@/app/(shop)/notices/unsubscribe/actions";
import { setRemindersAction } from "@/components/account/reminders-actions";
import { isUnsubscribed, resubscribe, unsubscribe } from "@/db/queries/notice-settings";
import { noticeUnsubscribes } from "@/db/schema";
import { getEnv } from "@/lib/env";
import { newId } from "@/lib/ids";
import { unsubscribeToken } from "@/lib/notices/tokens";
import { makeUser } from "../helpers/factories";
import { withTestDatabase } from "../helpers/db";

/*
 * Leaving renewal reminders (issue #13): the RFC 8058 one-click POST a mail provider sends, the
 * page a reader opens (opening it changes nothing: mail scanners follow links) with its two
 * buttons, and the account page's switch. Tokens are checked every time: forged, altered or
 * foreign ones change nothing. Unsubscribing twice is unsubscribing once.
 */

// A server action's redirect: thrown as Next throws it, caught by the test.
vi.mock("next/navigation", () => ({
  redirect: (to: string) => {
    throw Object.assign(new Error(`redirect ${to}`), { redirectTo: to });
  },
}));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
// The page's words are their keys here: the test reads what the page decides, not the copy.
vi.mock("next-intl/server", () => ({
  getTranslations: async () => (key: string) => key,
}));
const guard = vi.hoisted(() => ({ user: null as { id: string; role: string } | null }));
vi.mock("@/lib/auth/guards", () => ({ getCurrentUser: async () => guard.user }));

const t = withTestDatabase();
const db = () => t.db();

let buyer: { id: string };
let token: string;

beforeEach(async () => {
  buyer = await makeUser(db());
  token = unsubscribeToken(getEnv().authSecret, buyer.id, "reminders");
  guard.user = null;
});

const oneClick = (query: string, body = "List-Unsubscribe=One-Click") =>
  unsubscribePost(
    new Request(`https://shop.test/api/notices/unsubscribe${query}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
    }),
    undefined,
  );

const rows = () => db().select().from(noticeUnsubscribes);

/** Tokens that are not ours for this buyer: each must change nothing. */
function forgedTokens(): [string, string][] {
  const [, , mac] = token.split(".");
  const other = newId("usr");
  const flipped = `${mac!.slice(0, -1)}${mac!.endsWith("A") ? "B" : "A"}`;
  return [
    ["empty", ""],
    ["garbage", "not-a-token"],
    ["another secret", unsubscribeToken("x".repeat(40), buyer.id, "reminders")],
    ["altered mac", `${buyer.id}.reminders.${flipped}`],
    ["another user with this mac", `${other}.reminders.${mac}`],
    ["another category", `${buyer.id}.receipts.${mac}`],
    ["too long", `${token}${"A".repeat(200)}`],
    ["padded", ` ${token}`],
  ];
}

async function redirected(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    const to = (error as { redirectTo?: string }).redirectTo;
    if (to) return to;
    throw error;
  }
  throw new Error("no redirect");
}

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.set(key, value);
  return data;
};

/** Every `data-testid` in a rendered element tree (server components are not run: the page's own JSX). */
function testIds(node: ReactNode): string[] {
  if (node === null || typeof node !== "object") return [];
  if (Array.isArray(node)) return node.flatMap(testIds);
  const props = (node as { props?: Record<string, unknown> }).props ?? {};
  const own = typeof props["data-testid"] === "string" ? [props["data-testid"]] : [];
  const testId = typeof props.testId === "string" ? [props.testId] : [];
  return [...own, ...testId, ...testIds(props.children as ReactNode)];
}

const page = async (query: Record<string, string>) =>
  testIds(await UnsubscribePage({ searchParams: Promise.resolve(query) }));

describe("POST /api/notices/unsubscribe (RFC 8058 one-click)", () => {
  it("unsubscribes with a valid token: 200 {unsubscribed:true}, idempotent", async () => {
    const first = await oneClick(`?token=${encodeURIComponent(token)}`);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ unsubscribed: true });
    const again = await oneClick(`?token=${encodeURIComponent(token)}`);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ unsubscribed: true });
    expect(await rows()).toEqual([
      expect.objectContaining({ userId: buyer.id, category: "reminders" }),
    ]);
    expect(await isUnsubscribed(db(), buyer.id, "reminders")).toBe(true);
    // A provider that sends the field as multipart, or no body at all: the URI is what counts.
    expect((await oneClick(`?token=${token}`, "")).status).toBe(200);
  });

  it("400 for a missing, forged, altered or foreign token; nothing written", async () => {
    const missing = await oneClick("");
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { code: "bad_request" } });
    for (const [name, forged] of forgedTokens()) {
      expect((await oneClick(`?token=${encodeURIComponent(forged)}`)).status, name).toBe(400);
    }
    // A well-made token for an account that does not exist (never a foreign-key 500).
    const ghost = unsubscribeToken(getEnv().authSecret, newId("usr"), "reminders");
    expect((await oneClick(`?token=${ghost}`)).status).toBe(400);
    expect(await rows()).toEqual([]);
  });

  it("a body far larger than the form field is refused (413), nothing written", async () => {
    const response = await oneClick(`?token=${token}`, `List-Unsubscribe=${"x".repeat(10_000)}`);
    expect(response.status).toBe(413);
    expect(await rows()).toEqual([]);
  });

  it("GET never unsubscribes: 405 with Allow: POST", async () => {
    const response = unsubscribeGet();
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
    expect(await rows()).toEqual([]);
  });
});

describe("the page /notices/unsubscribe", () => {
  it("opening it with a valid token asks first and changes nothing", async () => {
    expect(await page({ token })).toEqual(expect.arrayContaining(["unsubscribe-confirm"]));
    expect(await page({ token })).not.toContain("unsubscribe-done");
    expect(await rows()).toEqual([]);
  });

  it("an invalid token is a clear message, not a crash; nothing written", async () => {
    expect(await page({})).toContain("unsubscribe-invalid");
    for (const [name, forged] of forgedTokens()) {
      expect(await page({ token: forged }), name).toContain("unsubscribe-invalid");
    }
    expect(await rows()).toEqual([]);
  });

  it("confirm → unsubscribed, shown as done with resubscribe; resubscribe → asked again", async () => {
    const to = await redirected(() => unsubscribeAction(form({ token })));
    expect(to).toBe(`/notices/unsubscribe?token=${encodeURIComponent(token)}&done=unsubscribed`);
    expect(await isUnsubscribed(db(), buyer.id, "reminders")).toBe(true);
    expect(await page({ token, done: "unsubscribed" })).toEqual(
      expect.arrayContaining(["unsubscribe-done", "resubscribe"]),
    );
    // Pressing it twice (a double click, a resent form) is one unsubscribe.
    await redirected(() => unsubscribeAction(form({ token })));
    expect(await rows()).toHaveLength(1);

    const back = await redirected(() => resubscribeAction(form({ token })));
    expect(back).toBe(`/notices/unsubscribe?token=${encodeURIComponent(token)}&done=resubscribed`);
    expect(await isUnsubscribed(db(), buyer.id, "reminders")).toBe(false);
    expect(await page({ token, done: "resubscribed" })).toEqual(
      expect.arrayContaining(["unsubscribe-confirm", "unsubscribe-resubscribed"]),
    );
  });

  it("the buttons check the token again: a forged one writes nothing and lands on the invalid page", async () => {
    await unsubscribe(db(), buyer.id, "reminders");
    for (const [name, forged] of forgedTokens()) {
      expect(await redirected(() => unsubscribeAction(form({ token: forged }))), name).toBe(
        "/notices/unsubscribe",
      );
      expect(await redirected(() => resubscribeAction(form({ token: forged }))), name).toBe(
        "/notices/unsubscribe",
      );
    }
    expect(await redirected(() => unsubscribeAction(new FormData()))).toBe("/notices/unsubscribe");
    // Still unsubscribed: no forged resubscribe went through, and no forged unsubscribe added one.
    expect(await rows()).toEqual([expect.objectContaining({ userId: buyer.id })]);
  });
});

describe("the queries", () => {
  it("unsubscribe is idempotent, resubscribe says whether anything changed, unknown users are null", async () => {
    expect(await unsubscribe(db(), buyer.id, "reminders")).toBe(true);
    expect(await unsubscribe(db(), buyer.id, "reminders")).toBe(false);
    expect(await resubscribe(db(), buyer.id, "reminders")).toBe(true);
    expect(await resubscribe(db(), buyer.id, "reminders")).toBe(false);
    expect(await unsubscribe(db(), newId("usr"), "reminders")).toBeNull();
    const other = await makeUser(db());
    await unsubscribe(db(), other.id, "reminders");
    expect(await isUnsubscribed(db(), buyer.id, "reminders")).toBe(false);
    expect(await isUnsubscribed(db(), other.id, "reminders")).toBe(true);
  });
});

describe("the account page's switch", () => {
  it("the signed-in buyer leaves and rejoins reminders; anonymous changes nothing", async () => {
    expect(await setRemindersAction({}, form({ subscribe: "0" }))).toEqual({
      error: "unauthorized",
    });
    expect(await rows()).toEqual([]);
    guard.user = { id: buyer.id, role: "buyer" };
    expect(await setRemindersAction({}, form({ subscribe: "0" }))).toEqual({ ok: true });
    expect(await isUnsubscribed(db(), buyer.id, "reminders")).toBe(true);
    expect(await setRemindersAction({}, form({ subscribe: "0" }))).toEqual({ ok: true });
    expect(await rows()).toHaveLength(1);
    expect(await setRemindersAction({}, form({ subscribe: "1" }))).toEqual({ ok: true });
    expect(await isUnsubscribed(db(), buyer.id, "reminders")).toBe(false);
  });
});
