import { afterEach, describe, expect, it, vi } from "vitest";

vi.mock("@/lib/interval-ticker", () => ({
  intervalTicker: vi.fn(() => () => {}),
}));

/*
 * The sandbox's notice ticker starts in sandbox mode unless SANDBOX_NOTICES_TICKER=false: an
 * instance that only plays Youzan and Alipay for another shop process (the push bench, the load
 * test) must not send that shop's mail with CPU the shop's own process is measured on.
 */

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
  vi.clearAllMocks();
});

async function start(env: Record<string, string>) {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const { intervalTicker } = await import("@/lib/interval-ticker");
  const { startNoticesTicker, TICK_INTERVAL_MS } = await import("./notices-ticker");
  const stop = startNoticesTicker();
  stop();
  return { started: vi.mocked(intervalTicker).mock.calls.map((call) => call[0]), TICK_INTERVAL_MS };
}

// Each test imports the ticker's module graph afresh (the env is read at import): seconds on a
// loaded machine, past vitest's default 5 s.
describe("the sandbox's notice ticker", { timeout: 30_000 }, () => {
  it("ticks every 5 s in sandbox mode", async () => {
    const { started, TICK_INTERVAL_MS } = await start({ PAYMENTS_MODE: "sandbox" });
    expect(started).toEqual([TICK_INTERVAL_MS]);
    expect(TICK_INTERVAL_MS).toBe(5_000);
  });

  it("does not start with SANDBOX_NOTICES_TICKER=false", async () => {
    const { started } = await start({
      PAYMENTS_MODE: "sandbox",
      SANDBOX_NOTICES_TICKER: "false",
    });
    expect(started).toEqual([]);
  });
});
