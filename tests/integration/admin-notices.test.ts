import { and, asc, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { GET as listRoute } from "@/app/api/admin/notices/route";
import { GET as detailRoute } from "@/app/api/admin/notices/[id]/route";
import { POST as resendRoute } from "@/app/api/admin/notices/[id]/resend/route";
import { GET as settingsGet, POST as settingsPost } from "@/app/api/admin/notices/settings/route";
import { countNoticesByStatus } from "@/db/queries/admin-notices";
import { noticeSwitches } from "@/db/queries/notice-settings";
import { auditLog, notices, noticeSettings, sandboxClock } from "@/db/schema";
import { NOTICE_KIND_INFO, NOTICE_KINDS } from "@/lib/notices/kinds";
import { makeNotice, makeUser } from "../helpers/factories";
import { withTestDatabase } from "../helpers/db";

/*
 * The owner's outbox (issue #13) through its route handlers: the guard first (401 anonymous,
 * 403 buyer — before any body is read), the list's filters and keyset pages, bad filters and
 * cursors → 400, one notice with its sealed values masked, "send again" (only dead, skipped or
 * sent notices, never a password reset, once for two clicks, due now on the shop's clock) and
 * the switches, each action with its audit row.
 */

const guard = vi.hoisted(() => ({ user: null as { id: string; role: string } | null }));
vi.mock("@/lib/auth/guards", async () => {
  const { AppError } = await import("@/lib/errors");
  const user = () => {
    if (!guard.user) throw new AppError("unauthorized", "Sign in first.");
    return guard.user;
  };
  return {
    assertUser: async () => user(),
    assertAdmin: async () => {
      const current = user();
      if (current.role !== "admin") throw new AppError("forbidden", "Admins only.");
      return current;
    },
  };
});

const t = withTestDatabase();
const db = () => t.db();

let admin: { id: string; role: string };

beforeEach(async () => {
  admin = { id: (await makeUser(db(), { role: "admin" })).id, role: "admin" };
  guard.user = admin;
});

const get = (path: string) => new Request(`http://localhost${path}`);
const post = (path: string, body: unknown, type = "application/json") =>
  new Request(`http://localhost${path}`, {
    method: "POST",
    headers: { "content-type": type },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
const idContext = (id: string) => ({ params: Promise.resolve({ id }) });

interface ErrorAnswer {
  error?: { code: string; message: string; fields?: Record<string, string[]> };
}

async function answer<T = Record<string, unknown>>(response: Response) {
  const body = (await response.json()) as T & ErrorAnswer;
  return { status: response.status, body };
}

interface ListItem {
  id: string;
  status: string;
  kind: string;
  recipient: string;
  lastError: string | null;
}
interface ListPage {
  items: ListItem[];
  nextCursor: string | null;
}

const list = async (query = "") =>
  answer<ListPage>(
    await listRoute(get(`/api/admin/notices${query ? `?${query}` : ""}`), undefined),
  );

const resend = (id: string, body: unknown = { confirm: "resend" }) =>
  resendRoute(post(`/api/admin/notices/${id}/resend`, body), idContext(id));

const auditOf = (action: string) =>
  db().select().from(auditLog).where(eq(auditLog.action, action)).orderBy(asc(auditLog.id));

const at = (iso: string) => new Date(iso);

describe("GET /api/admin/notices", () => {
  it("admin only: 401 anonymous, 403 buyer", async () => {
    guard.user = null;
    expect((await listRoute(get("/api/admin/notices"), undefined)).status).toBe(401);
    guard.user = { id: "usr_x", role: "buyer" };
    expect((await listRoute(get("/api/admin/notices"), undefined)).status).toBe(403);
  });

  it("filters by status, kind, channel, recipient prefix and Shanghai days", async () => {
    const dead = await makeNotice(db(), {
      status: "dead",
      kind: "renewal_failed",
      recipient: "li_na@example.com",
      lastError: `SMTP 550 ${"x".repeat(500)}`,
      attempts: 8,
      createdAt: at("2026-12-01T16:30:00Z"), // 2026-12-02 00:30 in Shanghai
    });
    const sent = await makeNotice(db(), {
      status: "sent",
      recipient: "lixna@example.com",
      createdAt: at("2026-12-01T15:30:00Z"), // 2026-12-01 23:30 in Shanghai
    });
    const ding = await makeNotice(db(), {
      kind: "owner_new_order",
      channel: "dingtalk",
      recipient: "dingtalk",
      status: "skipped",
      skipReason: "disabled",
      createdAt: at("2026-12-03T02:00:00Z"),
    });

    const all = await list();
    expect(all.status).toBe(200);
    expect(all.body.items.map((n) => n.id)).toEqual([ding.id, dead.id, sent.id]);
    // The list shows the start of an error; the detail all of it.
    expect(all.body.items[1]!.lastError).toHaveLength(300);

    expect((await list("status=dead")).body.items.map((n) => n.id)).toEqual([dead.id]);
    expect((await list("kind=renewal_failed")).body.items.map((n) => n.id)).toEqual([dead.id]);
    expect((await list("channel=dingtalk")).body.items.map((n) => n.id)).toEqual([ding.id]);
    // A prefix, case-insensitive; `_` is a letter here, not LIKE's wildcard.
    expect((await list("recipient=LI_")).body.items.map((n) => n.id)).toEqual([dead.id]);
    expect((await list("recipient=li")).body.items.map((n) => n.id)).toEqual([dead.id, sent.id]);
    expect((await list("recipient=owner")).body.items).toEqual([]);
    // Days are Asia/Shanghai days, both ends included.
    expect((await list("from=2026-12-02&to=2026-12-02")).body.items.map((n) => n.id)).toEqual([
      dead.id,
    ]);
    expect((await list("to=2026-12-01")).body.items.map((n) => n.id)).toEqual([sent.id]);
    expect((await list("from=2026-12-02")).body.items.map((n) => n.id)).toEqual([ding.id, dead.id]);
    expect(
      (await list("status=skipped&channel=dingtalk&kind=owner_new_order")).body.items[0],
    ).toMatchObject({ id: ding.id, skipReason: "disabled" });
  });

  it("keyset pages newest first, ties broken by id, none lost or repeated", async () => {
    const same = at("2026-12-05T04:00:00.123456Z");
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await makeNotice(db(), { createdAt: same }));
    made.push(await makeNotice(db(), { createdAt: at("2026-12-04T04:00:00Z") }));
    made.push(await makeNotice(db(), { createdAt: at("2026-12-06T04:00:00Z") }));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { body: ListPage } = await list(
        `limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      seen.push(...page.body.items.map((n) => n.id));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    const tied = made
      .slice(0, 3)
      .map((n) => n.id)
      .sort()
      .reverse();
    expect(seen).toEqual([made[4]!.id, ...tied, made[3]!.id]);
  });

  it("refuses bad filters and cursors with 400 and the field", async () => {
    for (const query of [
      "status=lost",
      "kind=newsletter",
      "channel=sms",
      "from=2026-13-01",
      "from=2026-12-02&to=2026-12-01",
      `recipient=${"a".repeat(300)}`,
      "limit=1000",
      "limit=0",
      "cursor=forged",
      `cursor=${Buffer.from(JSON.stringify(["2026-12-01", "ntc_x"])).toString("base64url")}`,
    ]) {
      const bad = await list(query);
      expect(bad.status, query).toBe(400);
      expect(bad.body.error?.code, query).toBe("bad_request");
    }
    expect((await list("status=lost")).body.error?.fields).toHaveProperty("status");
  });

  it("counts by status, every status present", async () => {
    await makeNotice(db(), { status: "dead" });
    await makeNotice(db(), { status: "dead" });
    await makeNotice(db(), { status: "sent" });
    expect(await countNoticesByStatus(db())).toEqual({ pending: 0, sent: 1, dead: 2, skipped: 0 });
  });
});

describe("GET /api/admin/notices/{id}", () => {
  it("every field, the whole error, sealed values and secrets masked; 404 otherwise", async () => {
    const notice = await makeNotice(db(), {
      kind: "password_reset",
      status: "dead",
      lastError: `timeout ${"y".repeat(400)}`,
      data: {
        tokenId: "prt_abc",
        sealed: "iv.tag.body",
        nested: { resetTokenSealed: "x.y.z", list: [{ sealed: "a.b.c" }], orderNo: "XP1" },
        secret: "s3cret",
      },
    });
    const detail = await answer<Record<string, unknown>>(
      await detailRoute(get(`/api/admin/notices/${notice.id}`), idContext(notice.id)),
    );
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      id: notice.id,
      kind: "password_reset",
      eventKey: notice.eventKey,
      resendRefusal: "password_reset",
      data: {
        tokenId: "prt_abc",
        sealed: "•••",
        nested: { resetTokenSealed: "•••", list: [{ sealed: "•••" }], orderNo: "XP1" },
        secret: "•••",
      },
    });
    expect(detail.body.lastError).toHaveLength(408);
    expect(JSON.stringify(detail.body)).not.toMatch(/iv\.tag\.body|x\.y\.z|a\.b\.c|s3cret/);
    for (const id of ["ntc_nothere00000000000000", "../etc", "x"]) {
      expect((await detailRoute(get(`/api/admin/notices/x`), idContext(id))).status, id).toBe(404);
    }
  });
});

describe("POST /api/admin/notices/{id}/resend", () => {
  it("a dead notice goes back in the queue: due now on the shop's clock, cleared, audited", async () => {
    // The sandbox clock stands three days ahead: "now" is the shop's, not the server's.
    const offsetMs = 3 * 24 * 3600_000;
    await db().insert(sandboxClock).values({ id: 1, offsetMs });
    const notice = await makeNotice(db(), {
      status: "dead",
      attempts: 8,
      lastError: "SMTP 550 mailbox unavailable",
      nextAttemptAt: at("2026-01-01T00:00:00Z"),
      claimedUntil: at("2026-01-01T00:05:00Z"),
    });
    const done = await answer<{
      status: string;
      before: { status: string; attempts: number };
      notice: { status: string; attempts: number };
    }>(await resend(notice.id, { confirm: "resend", expectedStatus: "dead" }));
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      status: "resent",
      before: { status: "dead", attempts: 8 },
      notice: { status: "pending", attempts: 0 },
    });
    const [row] = await db().select().from(notices).where(eq(notices.id, notice.id));
    expect(row).toMatchObject({
      status: "pending",
      attempts: 0,
      claimedUntil: null,
      lastError: null,
      skipReason: null,
      sentAt: null,
    });
    expect(Math.abs(row!.nextAttemptAt.getTime() - (Date.now() + offsetMs))).toBeLessThan(60_000);
    const [audit] = await auditOf("notice.resend");
    expect(audit).toMatchObject({
      actorKind: "user",
      actorUserId: admin.id,
      targetType: "notice",
      targetId: notice.id,
      details: {
        kind: "receipt",
        before: { status: "dead", attempts: 8, lastError: "SMTP 550 mailbox unavailable" },
        after: { status: "pending", attempts: 0 },
      },
    });
  });

  it("sent and skipped notices may be sent again; a pending one may not", async () => {
    const sent = await makeNotice(db(), { status: "sent", messageId: "<m@x>", subject: "收据" });
    const skipped = await makeNotice(db(), { status: "skipped", skipReason: "disabled" });
    const pending = await makeNotice(db(), { status: "pending" });
    expect((await resend(sent.id)).status).toBe(200);
    expect((await resend(skipped.id)).status).toBe(200);
    const refused = await answer(await resend(pending.id));
    expect(refused.status).toBe(409);
    expect(refused.body.error?.fields).toEqual({ notice: ["notice.changed"] });
    const rows = await db().select().from(notices).orderBy(asc(notices.id));
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(sent.id)).toMatchObject({ status: "pending", sentAt: null, messageId: null });
    // The subject stays until the sender writes it again.
    expect(byId.get(sent.id)?.subject).toBe("收据");
    expect(byId.get(skipped.id)).toMatchObject({ status: "pending", skipReason: null });
    expect((await auditOf("notice.resend")).map((r) => r.targetId)).toEqual([sent.id, skipped.id]);
  });

  it("two clicks resend once (one after the other, and at the same moment)", async () => {
    const first = await makeNotice(db(), { status: "dead", attempts: 8 });
    expect((await resend(first.id, { confirm: "resend", expectedStatus: "dead" })).status).toBe(
      200,
    );
    const again = await answer(
      await resend(first.id, { confirm: "resend", expectedStatus: "dead" }),
    );
    expect(again.status).toBe(409);
    expect(again.body.error?.code).toBe("conflict");
    // Even without the page's status: the notice is pending now.
    expect((await resend(first.id)).status).toBe(409);

    const second = await makeNotice(db(), { status: "dead", attempts: 8 });
    const both = await Promise.all([resend(second.id), resend(second.id)]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect((await auditOf("notice.resend")).map((r) => r.targetId)).toEqual([first.id, second.id]);
  });

  it("a stale page is refused: the status it showed is not the notice's now", async () => {
    const notice = await makeNotice(db(), { status: "sent" });
    const stale = await answer(
      await resend(notice.id, { confirm: "resend", expectedStatus: "dead" }),
    );
    expect(stale.status).toBe(409);
    const [row] = await db().select().from(notices).where(eq(notices.id, notice.id));
    expect(row?.status).toBe("sent");
  });

  it("a password reset is never sent again (its token is gone)", async () => {
    const reset = await makeNotice(db(), {
      kind: "password_reset",
      status: "dead",
      data: { sealed: "x.y.z" },
    });
    const refused = await answer(await resend(reset.id));
    expect(refused.status).toBe(409);
    expect(refused.body.error?.fields).toEqual({ notice: ["notice.password_reset"] });
    const [row] = await db().select().from(notices).where(eq(notices.id, reset.id));
    expect(row?.status).toBe("dead");
    expect(await auditOf("notice.resend")).toEqual([]);
  });

  it("guard before body; bad bodies 4xx; unknown notices 404; never a 500", async () => {
    const notice = await makeNotice(db(), { status: "dead" });
    guard.user = null;
    expect(
      (await resendRoute(post("/x", "not json", "text/plain"), idContext(notice.id))).status,
    ).toBe(401);
    guard.user = { id: "usr_x", role: "buyer" };
    expect((await resend(notice.id)).status).toBe(403);
    guard.user = admin;
    const cases: [Request, number][] = [
      [post("/x", { confirm: "resend" }, "text/plain"), 415],
      [post("/x", "{", "application/json"), 400],
      [post("/x", {}), 422],
      [post("/x", { confirm: "yes" }), 422],
      [post("/x", { confirm: "resend", expectedStatus: "lost" }), 422],
      [post("/x", { confirm: "resend", extra: 1 }), 422],
      [post("/x", { confirm: "resend", pad: "x".repeat(70_000) }), 413],
    ];
    for (const [request, status] of cases) {
      expect((await resendRoute(request, idContext(notice.id))).status).toBe(status);
    }
    for (const id of ["ntc_nothere00000000000000", "nope", "' or 1=1 --"]) {
      expect((await resend(id)).status, id).toBe(404);
    }
    const [row] = await db().select().from(notices).where(eq(notices.id, notice.id));
    expect(row?.status).toBe("dead");
    expect(await auditOf("notice.resend")).toEqual([]);
  });
});

describe("switches", () => {
  const save = (body: unknown) =>
    settingsPost(post("/api/admin/notices/settings", body), undefined);

  it("every kind is on until switched off; a switch is saved and audited", async () => {
    expect(Object.values(await noticeSwitches(db())).every(Boolean)).toBe(true);
    expect(Object.keys(await noticeSwitches(db())).sort()).toEqual([...NOTICE_KINDS].sort());

    const off = await answer(await save({ kind: "owner_digest", enabled: false }));
    expect(off).toEqual({
      status: 200,
      body: { kind: "owner_digest", enabled: false, before: true },
    });
    expect((await noticeSwitches(db())).owner_digest).toBe(false);
    expect((await noticeSwitches(db())).receipt).toBe(true);
    const on = await answer(await save({ kind: "owner_digest", enabled: true }));
    expect(on.body).toEqual({ kind: "owner_digest", enabled: true, before: false });
    expect((await noticeSwitches(db())).owner_digest).toBe(true);

    const audit = await auditOf("notice.switch");
    expect(audit.map((r) => [r.actorUserId, r.targetType, r.targetId, r.details])).toEqual([
      [
        admin.id,
        "notice_kind",
        "owner_digest",
        { kind: "owner_digest", before: { enabled: true }, after: { enabled: false } },
      ],
      [
        admin.id,
        "notice_kind",
        "owner_digest",
        { kind: "owner_digest", before: { enabled: false }, after: { enabled: true } },
      ],
    ]);
    const [row] = await db()
      .select()
      .from(noticeSettings)
      .where(eq(noticeSettings.kind, "owner_digest"));
    expect(row).toMatchObject({ enabled: true, updatedBy: admin.id });

    const shown = await answer<{
      switches: { kind: string; enabled: boolean; switchable: boolean }[];
    }>(await settingsGet(get("/api/admin/notices/settings"), undefined));
    expect(shown.body.switches.map((s) => s.kind)).toEqual([...NOTICE_KINDS]);
    expect(shown.body.switches.find((s) => s.kind === "password_reset")).toMatchObject({
      enabled: true,
      switchable: false,
    });
  });

  it("a password reset cannot be switched off (422), and a row saying so is ignored", async () => {
    const refused = await answer(await save({ kind: "password_reset", enabled: false }));
    expect(refused.status).toBe(422);
    expect(refused.body.error?.fields).toEqual({ kind: ["notice.not_switchable"] });
    expect(await db().select().from(noticeSettings)).toEqual([]);
    expect(await auditOf("notice.switch")).toEqual([]);
    await db().insert(noticeSettings).values({ kind: "password_reset", enabled: false });
    expect((await noticeSwitches(db())).password_reset).toBe(true);
    // The switches' rule is the kinds table's.
    for (const kind of NOTICE_KINDS) {
      if (NOTICE_KIND_INFO[kind].switchable) continue;
      expect((await answer(await save({ kind, enabled: false }))).status, kind).toBe(422);
    }
  });

  it("guard first; bad bodies 4xx", async () => {
    guard.user = null;
    expect((await save({ kind: "receipt", enabled: false })).status).toBe(401);
    guard.user = { id: "usr_x", role: "buyer" };
    expect((await save({ kind: "receipt", enabled: false })).status).toBe(403);
    expect((await settingsGet(get("/x"), undefined)).status).toBe(403);
    guard.user = admin;
    for (const body of [
      {},
      { kind: "newsletter", enabled: false },
      { kind: "receipt" },
      { kind: "receipt", enabled: "no" },
      { kind: "receipt", enabled: false, extra: 1 },
    ]) {
      expect((await save(body)).status, JSON.stringify(body)).toBe(422);
    }
    expect(
      (
        await settingsPost(
          post("/x", "kind=receipt", "application/x-www-form-urlencoded"),
          undefined,
        )
      ).status,
    ).toBe(415);
    expect(
      await db()
        .select()
        .from(noticeSettings)
        .where(and(eq(noticeSettings.kind, "receipt"))),
    ).toEqual([]);
  });
});
