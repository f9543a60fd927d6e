import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, newNonce, securityHeaders } from "./security-headers";

const directives = (csp: string) =>
  Object.fromEntries(
    csp.split(";").map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name, values.join(" ")];
    }),
  );

describe("securityHeaders", () => {
  it("sets the CSP with the nonce, framing refused, and the fixed headers", () => {
    const headers = securityHeaders({ nonce: "abc123==", development: false, live: false });
    expect(headers).toMatchObject({
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "strict-origin-when-cross-origin",
      "X-Frame-Options": "DENY",
    });
    for (const feature of ["camera", "microphone", "geolocation", "payment"]) {
      expect(headers["Permissions-Policy"]).toContain(`${feature}=()`);
    }
    const csp = directives(headers["Content-Security-Policy"]);
    expect(csp["script-src"]).toBe("'self' 'nonce-abc123==' 'strict-dynamic'");
    expect(csp["frame-ancestors"]).toBe("'none'");
    expect(csp["img-src"]).toBe("'self' data:");
    expect(csp["style-src"]).toBe("'self' 'unsafe-inline'");
    expect(csp["object-src"]).toBe("'none'");
    expect(csp["default-src"]).toBe("'self'");
  });

  it("adds HSTS (and upgrade-insecure-requests) in live mode only", () => {
    const sandbox = securityHeaders({ nonce: "n", development: false, live: false });
    const live = securityHeaders({ nonce: "n", development: false, live: true });
    expect(sandbox["Strict-Transport-Security"]).toBeUndefined();
    expect(live["Strict-Transport-Security"]).toMatch(/^max-age=\d{8,}; includeSubDomains$/);
    expect(sandbox["Content-Security-Policy"]).not.toContain("upgrade-insecure-requests");
    expect(live["Content-Security-Policy"]).toContain("upgrade-insecure-requests");
  });

  it("allows eval for scripts only in development", () => {
    const csp = (development: boolean) =>
      directives(contentSecurityPolicy({ nonce: "n", development, live: false }))["script-src"];
    expect(csp(true)).toContain("'unsafe-eval'");
    expect(csp(false)).not.toContain("'unsafe-eval'");
  });

  it("refuses a nonce that could break out of the header", () => {
    expect(() =>
      contentSecurityPolicy({ nonce: "a' 'unsafe-inline", development: false, live: false }),
    ).toThrow();
    expect(() =>
      contentSecurityPolicy({ nonce: "a;b", development: false, live: false }),
    ).toThrow();
  });
});

describe("newNonce", () => {
  it("is base64 of 128 random bits, new every time", () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  });
});
