import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { claimTokenMint, readProviderToken } from "@/db/queries/provider-tokens";
import { createSharedTokenStore } from "@/lib/payments/shared-token-store";
import { createYouzanGateway, type StoredToken } from "@/lib/payments/youzan";
import { withTestDatabase } from "../helpers/db";
import { gate } from "../helpers/gate";
import { youzanTestbed, type YouzanTestbed } from "../helpers/youzan-testbed";

/*
 * The table-backed token store: instances of the shop (here, stores that share nothing but the
 * database) obtain one token between them, and a stale copy in one instance heals from the table.
 */

const t = withTestDatabase();
const HOUR = 3_600_000;
const token = (value: string): StoredToken => ({ value, expiresAt: Date.now() + 7 * 24 * HOUR });

describe("createSharedTokenStore", () => {
  it("two instances minting at once: one asks the provider, the other waits and reuses it", async () => {
    const a = createSharedTokenStore(t.db());
    const b = createSharedTokenStore(t.db());
    const asked: string[] = [];
    const slow = gate();
    // The client's rule: reuse a current token, ask the provider only without one.
    const produce = (who: string) => async (current: StoredToken | undefined) => {
      if (current) return current;
      asked.push(who);
      await slow.pass();
      return token(`T-${who}`);
    };
    const first = a.mint("youzan:app:1", produce("a"));
    await slow.reached();
    const second = b.mint("youzan:app:1", produce("b"));
    slow.open();
    const [ta, tb] = await Promise.all([first, second]);
    expect(asked).toEqual(["a"]);
    expect(tb).toEqual(ta);
    expect(await readProviderToken(t.db(), "youzan:app:1")).toEqual(ta);
    // A third instance that never minted reads it from the table.
    expect(await createSharedTokenStore(t.db()).token("youzan:app:1")).toEqual(ta);
  });

  it("an instance that died holding the lease holds the others back only until it runs out", async () => {
    let clock = 1_000_000;
    // The dead instance took the lease and never came back.
    await claimTokenMint(t.db(), "k", clock, clock + 15_000);
    const waits: number[] = [];
    const store = createSharedTokenStore(t.db(), {
      now: () => clock,
      sleep: async (ms) => {
        waits.push(ms);
        clock += 5_000; // each look happens 5 s later on this instance's clock
      },
    });
    expect((await store.mint("k", async () => token("T-late"))).value).toBe("T-late");
    expect(waits.length).toBe(4); // at 0, 5, 10 and 15 s still held; at 20 s run out
    expect((await readProviderToken(t.db(), "k"))?.value).toBe("T-late");
  });

  it("a failed mint stores nothing, and keys are apart", async () => {
    const store = createSharedTokenStore(t.db());
    await expect(
      store.mint("k1", async () => {
        throw new Error("token endpoint down");
      }),
    ).rejects.toThrow("token endpoint down");
    expect(await store.token("k1")).toBeUndefined();
    await store.mint("k2", async () => token("T2"));
    expect(await store.token("k1")).toBeUndefined();
    expect((await store.token("k2"))?.value).toBe("T2");
  });
});

describe("the Youzan client on a shared store (two instances, one sandbox)", () => {
  let bed: YouzanTestbed;
  beforeEach(async () => {
    bed = await youzanTestbed(t.db());
  });
  afterEach(async () => {
    await bed.close();
  });

  const instance = () =>
    createYouzanGateway(
      { baseUrl: `${bed.server.url}/sandbox/youzan`, ...bed.deps.youzanCredentials },
      { tokenStore: createSharedTokenStore(t.db()) },
    );
  const tokensIssued = async () => (await bed.sandbox.stats()).tokensIssued;
  const create = (gateway: ReturnType<typeof instance>) =>
    gateway.createDynamicQr({ name: "Test", amountFen: 990, source: "XP1" });

  it("cold instances calling at once obtain one token between them", async () => {
    const [a, b, c] = [instance(), instance(), instance()];
    await Promise.all([create(a), create(b), create(c), create(a)]);
    expect(await tokensIssued()).toBe(1);
  });

  it("an instance whose token another replaced heals from the table without minting again", async () => {
    const [a, b] = [instance(), instance()];
    await create(a);
    await create(b);
    expect(await tokensIssued()).toBe(1);
    await bed.sandbox.revokeTokens();
    await create(b); // rejected → b mints the replacement and stores it
    expect(await tokensIssued()).toBe(2);
    await create(a); // a's copy is stale → rejected → the table already has b's replacement
    expect(await tokensIssued()).toBe(2);
  });
});
