import { describe, expect, it } from "vitest";
import { coalesced } from "./coalesced";

/** A runner whose waits and rounds the test releases by hand. */
function harness() {
  const waits: (() => void)[] = [];
  const rounds: (() => void)[] = [];
  const tasks: Promise<unknown>[] = [];
  let started = 0;
  const ask = coalesced(
    () =>
      new Promise<void>((resolve) => {
        started++;
        rounds.push(() => resolve());
      }),
    {
      delayMs: 250,
      sleep: () => new Promise<void>((resolve) => waits.push(resolve)),
      background: (task) => tasks.push(task),
    },
  );
  const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
  return { ask, waits, rounds, tasks, started: () => started, tick };
}

describe("coalesced", () => {
  it("a burst of asks during the wait is one round", async () => {
    const h = harness();
    for (let i = 0; i < 30; i++) h.ask();
    expect(h.tasks).toHaveLength(1);
    await h.tick();
    expect(h.waits).toHaveLength(1);
    expect(h.started()).toBe(0);
    h.waits.shift()!();
    await h.tick();
    expect(h.started()).toBe(1);
    h.rounds.shift()!();
    await Promise.all(h.tasks);
    expect(h.started()).toBe(1);
  });

  it("asks during a round make exactly one more round, after its own wait", async () => {
    const h = harness();
    h.ask();
    await h.tick();
    h.waits.shift()!();
    await h.tick();
    expect(h.started()).toBe(1);
    h.ask();
    h.ask();
    h.ask();
    expect(h.tasks).toHaveLength(1);
    h.rounds.shift()!();
    await h.tick();
    expect(h.waits).toHaveLength(1);
    expect(h.started()).toBe(1);
    h.waits.shift()!();
    await h.tick();
    expect(h.started()).toBe(2);
    h.rounds.shift()!();
    await Promise.all(h.tasks);
    expect(h.started()).toBe(2);
    // Idle again: the next ask starts a new runner.
    h.ask();
    expect(h.tasks).toHaveLength(2);
  });

  it("a failed round ends the runner and the next ask starts another", async () => {
    const failing = coalesced(() => Promise.reject(new Error("database down")), {
      delayMs: 0,
      sleep: () => Promise.resolve(),
      background: (task) => void tasks.push(task.catch((error: unknown) => error)),
    });
    const tasks: Promise<unknown>[] = [];
    failing();
    const [error] = await Promise.all(tasks);
    expect(String(error)).toContain("database down");
    failing();
    expect(tasks).toHaveLength(2);
    await Promise.all(tasks);
  });
});
