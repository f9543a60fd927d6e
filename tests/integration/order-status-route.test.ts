import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GET as statusRoute } from "@/app/api/orders/[orderNo]/status/route";
import { assertSessionOfRequest } from "@/lib/auth/session-token";
import type * as SessionToken from "@/lib/auth/session-token";
import { eq } from "drizzle-orm";
import { users } from "@/db/schema";
import { advanceClock } from "@/lib/clock";
import { AppError } from "@/lib/errors";
import { getRuntime, kickNotices } from "@/lib/runtime";
import { withTestDatabase } from "../helpers/db";
import { makeUser } from "../helpers/factories";
import { onSandboxClock, withPurchaseTestbed } from "../helpers/purchase-testbed";
import { statementsOf } from "../helpers/statements";

// The route runs as in a request: the signed-in buyer and the runtime are the test's (the purchase
// testbed: the Youzan sandbox over loopback and a test clock the test moves).
// The cookie's session is the test's; the check of it against the user row is the real one.
vi.mock("@/lib/auth/session-token", async (importOriginal) => ({
  ...(await importOriginal<typeof SessionToken>()),
  assertSessionOfRequest: vi.fn(),
}));
vi.mock("@/lib/runtime", () => ({ getRuntime: vi.fn(), kickNotices: vi.fn() }));

const t = withTestDatabase();
const p = withPurchaseTestbed(t);

interface Answer {
  orderNo: string;
  status: string;
  paidAt: string | null;
  expiresAt: string | null;
  serverNow: string;
}

function ask(orderNo: string) {
  return statusRoute(new Request(`http://localhost/api/orders/${orderNo}/status`), {
    params: Promise.resolve({ orderNo }),
  });
}

beforeEach(() => {
  vi.mocked(getRuntime).mockImplementation(async () => ({ ...p.bed.deps, clock: p.bed.clock }));
  signedInAs(p.buyerId);
});
afterEach(() => {
  vi.mocked(getRuntime).mockReset();
  vi.mocked(assertSessionOfRequest).mockReset();
});

/** The SQL texts sent to the database while `work` ran (PGlite's `query`, postgres.js's `unsafe`). */
/** The request's cookie names `userId` at `sessionVersion` (a fresh account's is 0). */
function signedInAs(userId: string, sessionVersion = 0) {
  vi.mocked(assertSessionOfRequest).mockImplementation(async () => ({
    user: { id: userId },
    sessionVersion,
  }));
}

describe("GET /api/orders/{orderNo}/status", () => {
  it("answers with the shop's now (not the machine's) and the order's expiry, for the countdown", async () => {
    const order = await p.order();
    // The shop's clock runs 7 minutes ahead of this machine's (the sandbox clock was moved).
    p.bed.clock.advance(7 * 60);
    const response = await ask(order.orderNo);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store, no-transform");
    const body = (await response.json()) as Answer;
    expect(body).toEqual({
      orderNo: order.orderNo,
      status: "pending",
      paidAt: null,
      expiresAt: order.expiresAt!.toISOString(),
      serverNow: p.bed.clock.current().toISOString(),
    });
    // 15 minutes to live, 7 gone on the shop's clock: 8 left, whatever the machine's clock says.
    expect(Date.parse(body.expiresAt!) - Date.parse(body.serverNow)).toBe(8 * 60_000);
  });

  it("keeps sending the shop's now once the order is paid", async () => {
    const order = await p.order();
    await p.bed.sandbox.pay({ qrId: order.qrId! });
    p.bed.clock.advance(5);
    vi.mocked(kickNotices).mockClear();
    const body = (await (await ask(order.orderNo)).json()) as Answer;
    expect(body.status).toBe("paid");
    expect(body.paidAt).not.toBeNull();
    // This poll settled it: the receipt it wrote is sent right away, not at the next cron run.
    expect(vi.mocked(kickNotices)).toHaveBeenCalledTimes(1);
    expect(body.serverNow).toBe(p.bed.clock.current().toISOString());
    // A final answer is asked once more at most: no need to call the provider again.
    p.bed.clock.advance(1);
    const again = (await (await ask(order.orderNo)).json()) as Answer;
    expect(again).toEqual({ ...body, serverNow: p.bed.clock.current().toISOString() });
    expect(vi.mocked(kickNotices)).toHaveBeenCalledTimes(1);
  });

  it("polls within the interval of the last check write nothing and ask Youzan nothing; the next one asks again", async () => {
    const order = await p.order();
    expect((await ask(order.orderNo)).status).toBe(200); // claims the check, asks Youzan
    const update = vi.spyOn(p.bed.deps.db, "update");
    const youzan = vi.spyOn(p.bed.deps.youzan, "listReceivedTrades");
    try {
      for (let i = 0; i < 5; i++) {
        const body = (await (await ask(order.orderNo)).json()) as Answer;
        expect(body.status).toBe("pending");
      }
      // Most polls of a pending order: the row just read says it was checked moments ago.
      expect(update).not.toHaveBeenCalled();
      expect(youzan).not.toHaveBeenCalled();
      p.bed.clock.advance(4);
      expect((await ask(order.orderNo)).status).toBe(200);
      expect(update).toHaveBeenCalledTimes(1);
      expect(youzan).toHaveBeenCalledTimes(1);
    } finally {
      update.mockRestore();
      youzan.mockRestore();
    }
  });

  it("ten tabs polling every 2 s for a minute share one question to Youzan per interval", async () => {
    const order = await p.order();
    const before = (await p.bed.sandbox.stats()).apiCalls["youzan.trades.qr.get"] ?? 0;
    for (let second = 0; second < 60; second += 2) {
      const answers = await Promise.all(Array.from({ length: 10 }, () => ask(order.orderNo)));
      expect(answers.every((answer) => answer.status === 200)).toBe(true);
      p.bed.clock.advance(2);
    }
    const after = (await p.bed.sandbox.stats()).apiCalls["youzan.trades.qr.get"] ?? 0;
    // The interval is 3 s: on a 2 s beat, every other beat asks (0, 4, 8, … 56 s).
    expect(after - before).toBe(15);
  });

  it("expires a pending order past its time to live and says so, with the shop's now", async () => {
    const order = await p.order();
    p.bed.clock.advance(16 * 60);
    const body = (await (await ask(order.orderNo)).json()) as Answer;
    expect(body.status).toBe("expired");
    expect(Date.parse(body.serverNow)).toBeGreaterThan(Date.parse(body.expiresAt!));
  });

  it("someone else's order and malformed numbers are the same 404 with a reason", async () => {
    const order = await p.order();
    const stranger = await makeUser(t.db(), { email: "stranger@example.com" });
    signedInAs(stranger.id);
    for (const orderNo of [order.orderNo, "XP00000000NOSUCHONE", "not-an-order", "x".repeat(80)]) {
      const response = await ask(orderNo);
      expect(response.status, orderNo).toBe(404);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("not_found");
      expect(body.error.message.length).toBeGreaterThan(0);
    }
  });

  it("reads the viewer, the order and the sandbox clock in one statement", async () => {
    const order = await p.order();
    await advanceClock(t.db(), 5 * 60);
    vi.mocked(getRuntime).mockImplementation(async () => onSandboxClock(p, t.db()));
    // Asked once so that the provider check's interval starts; the second poll only reads.
    await ask(order.orderNo);
    const before = Date.now();
    const { result, statements } = await statementsOf(t.db(), () => ask(order.orderNo));
    const body = (await result.json()) as Answer;
    expect(body.status).toBe("pending");
    // The shop's now is the sandbox clock's (5 minutes ahead), read with the order.
    const ahead = Date.parse(body.serverNow) - before;
    expect(ahead).toBeGreaterThanOrEqual(5 * 60_000);
    expect(ahead).toBeLessThan(6 * 60_000);
    expect(statements, statements.join("\n---\n")).toHaveLength(1);
    expect(statements[0]).toMatch(
      /"users".*"orders".*"sandbox"\."clock"|"sandbox"\."clock".*"users"/s,
    );
    // Not the QR code's image (a ~3 KB data URL from Youzan) nor its URL: the checkout shows them.
    expect(order.qrImage?.length ?? 0).toBeGreaterThan(1000);
    expect(statements[0]).not.toMatch(/"qr_image"|"qr_url"/);
  });

  it("a session older than the account's session version, or of a deleted account, gets a 401", async () => {
    const order = await p.order();
    await t.db().update(users).set({ sessionVersion: 1 }).where(eq(users.id, p.buyerId));
    signedInAs(p.buyerId, 0);
    expect((await ask(order.orderNo)).status).toBe(401);
    signedInAs(p.buyerId, 1);
    expect((await ask(order.orderNo)).status).toBe(200);
    signedInAs("usr_doesnotexist0000000000");
    const response = await ask(order.orderNo);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      "unauthorized",
    );
  });

  it("says its length, so the server leaves each small answer uncompressed (no zlib per poll)", async () => {
    const order = await p.order();
    const response = await ask(order.orderNo);
    const text = await response.text();
    expect(response.headers.get("content-length")).toBe(String(Buffer.byteLength(text)));
    expect(response.headers.get("content-type")).toBe("application/json");
  });

  it("an admin sees any buyer's order", async () => {
    const order = await p.order();
    const admin = await makeUser(t.db(), { email: "owner@example.com", role: "admin" });
    signedInAs(admin.id);
    const response = await ask(order.orderNo);
    expect(response.status).toBe(200);
    expect(((await response.json()) as Answer).orderNo).toBe(order.orderNo);
  });

  it("a visitor who is not signed in gets a 401", async () => {
    const order = await p.order();
    vi.mocked(assertSessionOfRequest).mockRejectedValue(
      new AppError("unauthorized", "Sign in first."),
    );
    const response = await ask(order.orderNo);
    expect(response.status).toBe(401);
  });
});
