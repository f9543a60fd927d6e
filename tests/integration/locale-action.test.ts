import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { users } from "@/db/schema";
import { getCurrentUser } from "@/lib/auth/guards";
import { setLocaleAction } from "@/i18n/actions";
import { makeUser } from "../helpers/factories";
import { withTestDatabase } from "../helpers/db";

/*
 * The language switch remembers the choice in the cookie and, for a signed-in buyer, on the
 * account: notices (sent later, without a request) are written in it.
 */
const jar = vi.hoisted(() => ({ set: vi.fn() }));
vi.mock("next/headers", () => ({ cookies: async () => jar }));
vi.mock("@/lib/auth/guards", () => ({ getCurrentUser: vi.fn() }));

const t = withTestDatabase();

const form = (locale: string) => {
  const data = new FormData();
  data.set("locale", locale);
  return data;
};

beforeEach(() => {
  jar.set.mockReset();
  vi.mocked(getCurrentUser).mockReset();
});

describe("setLocaleAction", () => {
  it("stores the language on the signed-in buyer's account as well as in the cookie", async () => {
    const user = await makeUser(t.db());
    vi.mocked(getCurrentUser).mockResolvedValue({
      id: user.id,
      email: user.email,
      name: null,
      role: "buyer",
    });
    await setLocaleAction(form("en"));
    expect(jar.set).toHaveBeenCalledWith("NEXT_LOCALE", "en", expect.any(Object));
    const [row] = await t.db().select().from(users).where(eq(users.id, user.id));
    expect(row!.locale).toBe("en");
  });

  it("signed out: only the cookie; an unknown language changes nothing", async () => {
    const user = await makeUser(t.db());
    vi.mocked(getCurrentUser).mockResolvedValue(null);
    await setLocaleAction(form("en"));
    expect(jar.set).toHaveBeenCalledTimes(1);
    vi.mocked(getCurrentUser).mockResolvedValue({
      id: user.id,
      email: user.email,
      name: null,
      role: "buyer",
    });
    await setLocaleAction(form("fr"));
    expect(jar.set).toHaveBeenCalledTimes(1);
    const [row] = await t.db().select().from(users).where(eq(users.id, user.id));
    expect(row!.locale).toBeNull();
  });
});
