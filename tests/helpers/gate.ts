/**
 * A door a test holds shut: code that calls `pass()` waits until the test opens it (or fails
 * it), and the test can wait until someone is waiting — so an overlap between two operations is
 * arranged, not hoped for with sleeps.
 */
export interface Gate {
  /** Called by the code under test: resolves when the gate opens, rejects when it fails. */
  pass(): Promise<void>;
  /** Resolves once `pass()` has been called `n` times (default 1). */
  reached(n?: number): Promise<void>;
  open(): void;
  fail(error: Error): void;
  readonly arrivals: number;
}

export function gate(): Gate {
  let release!: () => void;
  let reject!: (error: Error) => void;
  const opened = new Promise<void>((resolve, fail) => {
    release = resolve;
    reject = fail;
  });
  opened.catch(() => {}); // observed by every pass(); this only keeps it from being "unhandled"
  let arrivals = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  return {
    pass() {
      arrivals++;
      for (const w of waiters.filter((w) => arrivals >= w.n)) w.resolve();
      return opened;
    },
    reached(n = 1) {
      if (arrivals >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    open: () => release(),
    fail: (error) => reject(error),
    get arrivals() {
      return arrivals;
    },
  };
}
