import { describe, expect, it, vi } from "vitest";
import {
  createAvailabilityGate,
  HEALTHY_FOR_MS,
  PROBE_DEADLINE_MS,
  UNHEALTHY_FOR_MS,
  newGateState,
  type DatabaseProbe,
} from "./availability";

/** A probe whose every call waits until the test settles it. */
function controlledProbe() {
  const calls: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  const probe: DatabaseProbe = () =>
    new Promise<void>((resolve, reject) => {
      calls.push({ resolve, reject });
    });
  return { probe, calls };
}

function gateWith(probe: DatabaseProbe | undefined, onProbeFailure?: (error: unknown) => void) {
  let clock = 0;
  const gate = createAvailabilityGate({ probe: () => probe, now: () => clock, onProbeFailure });
  return { gate, advance: (ms: number) => (clock += ms) };
}

describe("the database availability gate", () => {
  it("lets everything through where no probe is registered", async () => {
    const { gate } = gateWith(undefined);
    expect(await gate.available()).toBe(true);
  });

  it("trusts a success for HEALTHY_FOR_MS, then probes again", async () => {
    const probe = vi.fn<DatabaseProbe>(() => Promise.resolve());
    const { gate, advance } = gateWith(probe);
    expect(await gate.available()).toBe(true);
    advance(HEALTHY_FOR_MS - 1);
    expect(await gate.available()).toBe(true);
    expect(probe).toHaveBeenCalledTimes(1);
    advance(1);
    expect(await gate.available()).toBe(true);
    expect(probe).toHaveBeenCalledTimes(2);
  });

  it("a report of an outage ends the trusted success at once", async () => {
    let up = true;
    const probe = vi.fn<DatabaseProbe>(() =>
      up ? Promise.resolve() : Promise.reject(new Error("down")),
    );
    const { gate } = gateWith(probe);
    expect(await gate.available()).toBe(true);
    up = false;
    expect(await gate.available()).toBe(true); // still trusted: nobody has met the outage yet
    gate.reportUnavailable();
    expect(await gate.available()).toBe(false);
    expect(probe).toHaveBeenCalledTimes(2);
  });

  it("trusts a failure for UNHEALTHY_FOR_MS and logs it once per probe", async () => {
    const failure = new Error("ECONNREFUSED");
    const probe = vi.fn<DatabaseProbe>(() => Promise.reject(failure));
    const logged = vi.fn();
    const { gate, advance } = gateWith(probe, logged);
    expect(await gate.available()).toBe(false);
    advance(UNHEALTHY_FOR_MS - 1);
    expect(await gate.available()).toBe(false);
    expect(probe).toHaveBeenCalledTimes(1);
    expect(logged).toHaveBeenCalledExactlyOnceWith(failure);
    advance(1);
    expect(await gate.available()).toBe(false);
    expect(probe).toHaveBeenCalledTimes(2);
  });

  it("concurrent requests share one probe", async () => {
    const { probe, calls } = controlledProbe();
    const { gate } = gateWith(probe);
    const answers = Promise.all([gate.available(), gate.available(), gate.available()]);
    expect(calls).toHaveLength(1);
    calls[0]!.resolve();
    expect(await answers).toEqual([true, true, true]);
  });

  it("a probe that does not answer is a failure at its deadline; later requests do not wait on it", async () => {
    vi.useFakeTimers();
    try {
      const { probe, calls } = controlledProbe();
      const { gate, advance } = gateWith(probe);
      let settled: boolean | undefined;
      void gate.available().then((value) => (settled = value));
      await vi.advanceTimersByTimeAsync(PROBE_DEADLINE_MS - 1);
      expect(settled).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      expect(settled).toBe(false);

      // Halfway through the deadline, a newcomer waits only for what is left of it.
      advance(PROBE_DEADLINE_MS / 2);
      let late: boolean | undefined;
      void gate.available().then((value) => (late = value));
      await vi.advanceTimersByTimeAsync(PROBE_DEADLINE_MS / 2 - 1);
      expect(late).toBeUndefined();
      advance(PROBE_DEADLINE_MS / 2);
      await vi.advanceTimersByTimeAsync(1);
      expect(late).toBe(false);

      // Past the deadline, the answer is immediate, and no second probe piles up.
      expect(await gate.available()).toBe(false);
      expect(calls).toHaveLength(1);

      // When the hung probe finally ends, the next request probes afresh.
      calls[0]!.reject(new Error("CONNECTION_CLOSED"));
      await vi.advanceTimersByTimeAsync(0);
      advance(UNHEALTHY_FOR_MS);
      const next = gate.available();
      expect(calls).toHaveLength(2);
      calls[1]!.resolve();
      expect(await next).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it("gates built over one state (each bundle of the process builds its own) share what they learnt", async () => {
    const state = newGateState();
    const probe = vi.fn<DatabaseProbe>(() => Promise.resolve());
    const build = () => createAvailabilityGate({ probe: () => probe, state, now: () => 0 });
    expect(await build().available()).toBe(true);
    expect(await build().available()).toBe(true);
    expect(probe).toHaveBeenCalledTimes(1);
    build().reportUnavailable();
    expect(await build().available()).toBe(true);
    expect(probe).toHaveBeenCalledTimes(2);
  });
});
