import { describe, expect, it } from "vitest";
import { ensureSandboxAlipayKeys } from "@/db/queries/sandbox-alipay-keys";
import { advanceClock } from "@/lib/clock";
import { DEFAULT_FAULTS } from "@/lib/sandbox/alipay";
import {
  DEFAULT_BALANCE_FEN,
  patchFaults,
  readRequestState,
  readSettings,
  writeBalance,
} from "@/lib/sandbox/alipay/settings";
import { withTestDatabase } from "../helpers/db";

/*
 * What every gateway.do call reads first, in one statement: the keys, the settings row and the
 * virtual clock's offset, each of which may not exist yet.
 */

const t = withTestDatabase();

describe("readRequestState", () => {
  it("on a fresh sandbox: no keys, the default settings (not stored), the clock not moved", async () => {
    expect(await readRequestState(t.db())).toEqual({
      keys: null,
      settings: {
        faults: DEFAULT_FAULTS,
        appGatewayUrl: null,
        buyerBalanceFen: DEFAULT_BALANCE_FEN,
        stored: false,
      },
      clockOffsetMs: 0,
    });
  });

  it("reads what is stored: the same keys and settings as the separate reads, and the offset", async () => {
    const keys = await ensureSandboxAlipayKeys(t.db());
    await writeBalance(t.db(), 1_234);
    await patchFaults(t.db(), { windowDays: 2 });
    await advanceClock(t.db(), 3_600);
    const state = await readRequestState(t.db());
    expect(state.keys).toEqual(keys);
    expect(state.settings).toEqual(await readSettings(t.db()));
    expect(state.settings).toMatchObject({ buyerBalanceFen: 1_234, stored: true });
    expect(state.settings.faults.windowDays).toBe(2);
    expect(state.clockOffsetMs).toBe(3_600_000);
  });

  it("keys stored but no settings row yet, and the other way round", async () => {
    const keys = await ensureSandboxAlipayKeys(t.db());
    expect(await readRequestState(t.db())).toMatchObject({
      keys,
      settings: { stored: false },
      clockOffsetMs: 0,
    });
    await t.db().execute("delete from sandbox.alipay_keys");
    await writeBalance(t.db(), 5);
    expect(await readRequestState(t.db())).toMatchObject({
      keys: null,
      settings: { buyerBalanceFen: 5, stored: true },
    });
  });
});
