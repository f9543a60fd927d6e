import { afterAll, describe, expect, it, vi } from "vitest";
import { POST as signupRoute } from "@/app/api/account/signup/route";
import { RATE_LIMITS } from "@/lib/rate-limit";
import { withTestDatabase } from "../helpers/db";

// This file's process runs behind one trusted proxy (nginx appending the client's address);
// getEnv() reads the environment on first use, after this line.
vi.stubEnv("TRUSTED_PROXY_HOPS", "1");
afterAll(() => {
  vi.unstubAllEnvs();
});

const t = withTestDatabase();

function signUp(email: string, forwardedFor: string) {
  return signupRoute(
    new Request("http://localhost/api/account/signup", {
      method: "POST",
      body: JSON.stringify({ email, password: "a good password" }),
      headers: { "content-type": "application/json", "x-forwarded-for": forwardedFor },
    }),
    undefined,
  );
}

describe("client address behind one trusted proxy (TRUSTED_PROXY_HOPS=1)", () => {
  it("counts by the entry the proxy appended, whatever the client wrote before it", async () => {
    const { limit } = RATE_LIMITS.signupPerClient;
    expect((await signUp("taken@example.com", "198.51.100.1")).status).toBe(201);
    // A taken email keeps its slot: cheap requests to fill client 198.51.100.1's hour.
    for (let i = 1; i < limit; i++) {
      const spoofed = `10.0.0.${i}, 192.0.2.${i}, 198.51.100.1`;
      expect((await signUp("taken@example.com", spoofed)).status).toBe(409);
    }
    // The same client, whatever it puts in front of the proxy's entry: refused.
    const refused = await signUp("new@example.com", "203.0.113.50, 198.51.100.1");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    // Another client (the proxy appended another address) has its own hour.
    expect((await signUp("taken@example.com", "198.51.100.1, 198.51.100.2")).status).toBe(409);
    expect(await t.db().$count((await import("@/db/schema")).users)).toBe(1);
  });
});
