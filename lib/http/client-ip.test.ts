import { afterEach, describe, expect, it } from "vitest";
import {
  clientAddress,
  clientKey,
  normalizeAddress,
  PEER_HEADER,
  UNKNOWN_CLIENT,
} from "./client-ip";

const direct = { trustedProxyHops: 0, vercel: false };
const oneHop = { trustedProxyHops: 1, vercel: false };
const twoHops = { trustedProxyHops: 2, vercel: false };
const vercel = { trustedProxyHops: 0, vercel: true };

function headers(values: Record<string, string> | [string, string][]): Headers {
  return new Headers(values);
}

describe("clientAddress with the default (no trusted proxy)", () => {
  it("never reads X-Forwarded-For: a spoofed header changes nothing", () => {
    const honest = clientAddress(headers({}), direct);
    for (const spoofed of ["203.0.113.7", "1.1.1.1, 203.0.113.7", "::1", "garbage", ""]) {
      expect(clientAddress(headers({ "x-forwarded-for": spoofed }), direct)).toBe(honest);
    }
    expect(honest).toBe(UNKNOWN_CLIENT);
  });

  it("ignores x-real-ip and Vercel's headers off Vercel (any client can send them)", () => {
    const spoofed = headers({
      "x-real-ip": "198.51.100.1",
      "x-vercel-forwarded-for": "198.51.100.2",
    });
    expect(clientAddress(spoofed, direct)).toBe(UNKNOWN_CLIENT);
    expect(clientAddress(spoofed, oneHop)).toBe(UNKNOWN_CLIENT);
  });
});

describe("clientAddress from the shop's server (server.mjs stamps the socket address)", () => {
  const TOKEN = "k3Jq9pWbX2vN7sLmT4yZ8a";
  const slot = globalThis as Record<symbol, unknown>;
  const KEY = Symbol.for("xiaopu.peerToken");
  afterEach(() => {
    delete slot[KEY];
  });

  it("uses the stamped socket address, whatever X-Forwarded-For says", () => {
    slot[KEY] = TOKEN;
    for (const spoofed of ["", "203.0.113.7", "1.1.1.1, 203.0.113.7"]) {
      const h = headers({
        [PEER_HEADER]: `${TOKEN} ::ffff:192.0.2.10`,
        "x-forwarded-for": spoofed,
      });
      expect(clientAddress(h, direct)).toBe("192.0.2.10");
    }
    expect(clientAddress(headers({ [PEER_HEADER]: `${TOKEN} 2001:DB8::1` }), direct)).toBe(
      "2001:db8::1",
    );
  });

  it("believes the header only with this process's token", () => {
    slot[KEY] = TOKEN;
    for (const value of [
      "203.0.113.7",
      `${TOKEN.slice(0, -1)}x 203.0.113.7`,
      `${TOKEN}x 203.0.113.7`,
      `${TOKEN} garbage`,
      `${TOKEN}`,
    ]) {
      expect(clientAddress(headers({ [PEER_HEADER]: value }), direct), value).toBe(UNKNOWN_CLIENT);
    }
  });

  it("believes nothing under a plain `next start` (no token in the process)", () => {
    expect(clientAddress(headers({ [PEER_HEADER]: `${TOKEN} 203.0.113.7` }), direct)).toBe(
      UNKNOWN_CLIENT,
    );
    slot[KEY] = "short";
    expect(clientAddress(headers({ [PEER_HEADER]: "short 203.0.113.7" }), direct)).toBe(
      UNKNOWN_CLIENT,
    );
  });

  it("behind trusted proxies, the proxies' entry wins over the socket (the nearest proxy)", () => {
    slot[KEY] = TOKEN;
    const h = headers({ [PEER_HEADER]: `${TOKEN} 10.0.0.2`, "x-forwarded-for": "203.0.113.9" });
    expect(clientAddress(h, oneHop)).toBe("203.0.113.9");
  });
});

describe("clientAddress behind trusted proxies", () => {
  it("takes the entry the one trusted proxy appended, not what the client wrote before it", () => {
    expect(clientAddress(headers({ "x-forwarded-for": "203.0.113.9" }), oneHop)).toBe(
      "203.0.113.9",
    );
    expect(
      clientAddress(headers({ "x-forwarded-for": "1.2.3.4, 5.6.7.8, 203.0.113.9" }), oneHop),
    ).toBe("203.0.113.9");
  });

  it("counts hops from the right", () => {
    const chain = headers({ "x-forwarded-for": "6.6.6.6, 203.0.113.9, 10.0.0.2" });
    expect(clientAddress(chain, twoHops)).toBe("203.0.113.9");
    expect(clientAddress(chain, { trustedProxyHops: 3, vercel: false })).toBe("6.6.6.6");
  });

  it("takes the left-most entry when there are fewer entries than trusted hops", () => {
    expect(clientAddress(headers({ "x-forwarded-for": "203.0.113.9" }), twoHops)).toBe(
      "203.0.113.9",
    );
  });

  it("tolerates spaces, empty entries and repeated headers", () => {
    expect(
      clientAddress(headers({ "x-forwarded-for": "  ,1.2.3.4,,  203.0.113.9  ," }), oneHop),
    ).toBe("203.0.113.9");
    const repeated = headers([
      ["x-forwarded-for", "6.6.6.6"],
      ["x-forwarded-for", "203.0.113.9"],
    ]);
    expect(clientAddress(repeated, oneHop)).toBe("203.0.113.9");
  });

  it("reads IPv6 and ports as proxies write them, in one canonical spelling", () => {
    for (const written of [
      "2001:DB8::1",
      "2001:0db8:0000:0000:0000:0000:0000:0001",
      "[2001:db8::1]:443",
      "[2001:db8::1]",
    ]) {
      expect(clientAddress(headers({ "x-forwarded-for": `1.1.1.1, ${written}` }), oneHop)).toBe(
        "2001:db8::1",
      );
    }
    expect(clientAddress(headers({ "x-forwarded-for": "203.0.113.9:51234" }), oneHop)).toBe(
      "203.0.113.9",
    );
    expect(clientAddress(headers({ "x-forwarded-for": "::ffff:203.0.113.9" }), oneHop)).toBe(
      "203.0.113.9",
    );
  });

  it("answers the grouping fallback for an absent, empty or garbage entry", () => {
    for (const value of [
      undefined,
      "",
      " , ",
      "unknown",
      "1.2.3.4, not-an-ip",
      "1.2.3.4, 999.1.1.1",
      "1.2.3.4, <script>",
      "1.2.3.4, 1.2.3.4.5",
      "1.2.3.4, 2001:db8:::1",
      `1.2.3.4, ${"1".repeat(500)}`,
      "1.2.3.4, _",
    ]) {
      const h = value === undefined ? headers({}) : headers({ "x-forwarded-for": value });
      expect(clientAddress(h, oneHop), String(value)).toBe(UNKNOWN_CLIENT);
    }
  });

  it("does not let the client pick the selected entry by sending garbage after a good one", () => {
    // nginx appends the real address after whatever the client sent: the client cannot move it.
    expect(
      clientAddress(headers({ "x-forwarded-for": "garbage, 203.0.113.9, , 6.6.6.6" }), oneHop),
    ).toBe("6.6.6.6");
  });
});

describe("clientAddress on Vercel", () => {
  it("uses x-vercel-forwarded-for, then x-real-ip, never X-Forwarded-For", () => {
    expect(
      clientAddress(
        headers({
          "x-vercel-forwarded-for": "203.0.113.9",
          "x-real-ip": "198.51.100.1",
          "x-forwarded-for": "6.6.6.6",
        }),
        vercel,
      ),
    ).toBe("203.0.113.9");
    expect(
      clientAddress(headers({ "x-real-ip": "198.51.100.1", "x-forwarded-for": "6.6.6.6" }), vercel),
    ).toBe("198.51.100.1");
    expect(clientAddress(headers({ "x-forwarded-for": "6.6.6.6" }), vercel)).toBe(UNKNOWN_CLIENT);
    expect(clientAddress(headers({ "x-vercel-forwarded-for": "nope" }), vercel)).toBe(
      UNKNOWN_CLIENT,
    );
  });
});

describe("normalizeAddress", () => {
  it("canonicalises IPv6 per RFC 5952", () => {
    expect(normalizeAddress("2001:db8:0:0:1:0:0:1")).toBe("2001:db8::1:0:0:1");
    expect(normalizeAddress("0:0:0:0:0:0:0:1")).toBe("::1");
    expect(normalizeAddress("::")).toBe("::");
    expect(normalizeAddress("fe80::1%eth0")).toBe("fe80::1");
    expect(normalizeAddress("2001:db8:1:2:3:4:5:6")).toBe("2001:db8:1:2:3:4:5:6");
    expect(normalizeAddress("::ffff:0:0")).toBe("::ffff:0:0");
  });

  it("refuses what is not an address", () => {
    for (const value of [null, undefined, "", "localhost", "1.2.3", "::g", "1.2.3.4:"]) {
      expect(normalizeAddress(value)).toBeUndefined();
    }
  });
});

describe("clientKey", () => {
  it("keys IPv4 by address and IPv6 by its /64", () => {
    expect(clientKey("203.0.113.9")).toBe("203.0.113.9");
    expect(clientKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:db8:1:2:bbbb::9")).toBe("2001:db8:1:2::/64");
    expect(clientKey("::1")).toBe("::/64");
    expect(clientKey(UNKNOWN_CLIENT)).toBe(UNKNOWN_CLIENT);
  });
});
