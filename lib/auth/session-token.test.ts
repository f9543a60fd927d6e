import { encode } from "next-auth/jwt";
import { describe, expect, it, vi } from "vitest";
import { sessionFromHeaders } from "./session-token";

const SECRET = "s".repeat(40);
const PLAIN = "authjs.session-token";
const SECURE = "__Secure-authjs.session-token";

const token = (claims: Record<string, unknown>, salt = PLAIN, maxAge = 3_600, secret = SECRET) =>
  encode({ token: claims, secret, salt, maxAge });
const withCookie = (cookie: string) => new Headers({ cookie });

describe("the session of a request, read straight from its cookie", () => {
  it("is what next-auth's session callback makes of the token: the user's id and session version", async () => {
    const plain = await token({ uid: "usr_1", sv: 3, role: "buyer" });
    expect(await sessionFromHeaders(withCookie(`other=1; ${PLAIN}=${plain}`), SECRET)).toEqual({
      user: { id: "usr_1" },
      sessionVersion: 3,
    });
    // Behind https the cookie has the __Secure- name, and that name is the salt.
    const secure = await token({ uid: "usr_2", sv: 0 }, SECURE);
    expect(await sessionFromHeaders(withCookie(`${SECURE}=${secure}`), SECRET)).toEqual({
      user: { id: "usr_2" },
      sessionVersion: 0,
    });
  });

  it("is null without a cookie, for a forged, tampered, foreign or expired token", async () => {
    expect(await sessionFromHeaders(new Headers(), SECRET)).toBeNull();
    expect(await sessionFromHeaders(withCookie(`${PLAIN}=not-a-token`), SECRET)).toBeNull();
    const good = await token({ uid: "usr_1", sv: 1 });
    const tampered = `${good.slice(0, -4)}${good.slice(-4) === "AAAA" ? "BBBB" : "AAAA"}`;
    expect(await sessionFromHeaders(withCookie(`${PLAIN}=${tampered}`), SECRET)).toBeNull();
    const foreign = await token({ uid: "usr_1", sv: 1 }, PLAIN, 3_600, "x".repeat(40));
    expect(await sessionFromHeaders(withCookie(`${PLAIN}=${foreign}`), SECRET)).toBeNull();
    // Made with the other cookie's name as salt: does not decode under this one.
    const wrongSalt = await token({ uid: "usr_1", sv: 1 }, SECURE);
    expect(await sessionFromHeaders(withCookie(`${PLAIN}=${wrongSalt}`), SECRET)).toBeNull();
    const expired = await token({ uid: "usr_1", sv: 1 }, PLAIN, -60);
    expect(await sessionFromHeaders(withCookie(`${PLAIN}=${expired}`), SECRET)).toBeNull();
    // A token without a user id is no session.
    const anonymous = await token({ sv: 1 });
    expect(await sessionFromHeaders(withCookie(`${PLAIN}=${anonymous}`), SECRET)).toBeNull();
  });

  it("remembers a decoded token only until it expires", async () => {
    const soon = await token({ uid: "usr_9", sv: 2 }, PLAIN, 60);
    const headers = withCookie(`${PLAIN}=${soon}`);
    const now = Date.now();
    expect(await sessionFromHeaders(headers, SECRET, now)).toEqual({
      user: { id: "usr_9" },
      sessionVersion: 2,
    });
    expect(await sessionFromHeaders(headers, SECRET, now + 30_000)).toEqual({
      user: { id: "usr_9" },
      sessionVersion: 2,
    });
    // Past the token's expiry (and jose's 15 s of tolerance) the remembered answer is not used,
    // and decoding it again is refused.
    vi.useFakeTimers({ now: now + 120_000, toFake: ["Date"] });
    try {
      expect(await sessionFromHeaders(headers, SECRET)).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});
