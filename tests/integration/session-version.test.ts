import { describe, expect, it } from "vitest";
import { bumpSessionVersion, findUserByEmail } from "@/db/queries/users";
import { endSessionsOnSignOut, userForSession } from "@/lib/auth/session-version";
import { signUp } from "@/lib/auth/signup";
import { withTestDatabase } from "../helpers/db";

/*
 * Issue #7 item 5 at the guard level (next-auth cannot be loaded in vitest; the end-to-end check
 * through the real handlers is tests/e2e/signout-session.spec.ts). A session is what next-auth's
 * session callback returns: the user's id and the session version carried in the JWT.
 */
const t = withTestDatabase();

async function signedIn() {
  const { id } = await signUp(t.db(), { email: "wu@example.com", password: "right-password" });
  const user = await findUserByEmail(t.db(), "wu@example.com");
  return { user: { id }, sessionVersion: user?.sessionVersion };
}

describe("session version", () => {
  it("a session cookie copied before sign-out is signed out after it", async () => {
    const copied = await signedIn();
    expect(copied.sessionVersion).toBe(0);
    expect((await userForSession(t.db(), copied))?.email).toBe("wu@example.com");

    // What next-auth's events.signOut hands over for JWT sessions: the decoded token.
    expect(await endSessionsOnSignOut(t.db(), { token: { uid: copied.user.id } })).toBe(true);

    expect(await userForSession(t.db(), copied)).toBeNull();
    // A fresh sign-in carries the new version and works.
    expect(await userForSession(t.db(), { ...copied, sessionVersion: 1 })).not.toBeNull();
  });

  it("a password or role change (bumpSessionVersion) ends every older session", async () => {
    const session = await signedIn();
    await bumpSessionVersion(t.db(), session.user.id);
    await bumpSessionVersion(t.db(), session.user.id);
    expect(await userForSession(t.db(), session)).toBeNull();
    expect(await userForSession(t.db(), { ...session, sessionVersion: 1 })).toBeNull();
    expect(await userForSession(t.db(), { ...session, sessionVersion: 2 })).not.toBeNull();
  });

  it("refuses a token without a version (issued before versions existed) and anonymous sessions", async () => {
    const session = await signedIn();
    expect(await userForSession(t.db(), { user: session.user })).toBeNull();
    expect(await userForSession(t.db(), null)).toBeNull();
    expect(await userForSession(t.db(), { user: { id: "nobody" }, sessionVersion: 0 })).toBeNull();
    expect(await endSessionsOnSignOut(t.db(), { session: null })).toBe(false);
    expect(await endSessionsOnSignOut(t.db(), { token: null })).toBe(false);
  });
});
