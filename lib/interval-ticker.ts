import "server-only";

/**
 * A background loop for sandbox mode (the payment sandboxes' and the notices' tickers): runs
 * `tick` every `intervalMs`, never two at once, never throwing (`onError` hears failures), and
 * without holding the process open. Returns the stop function.
 */
export function intervalTicker(
  intervalMs: number,
  tick: () => Promise<void>,
  onError: (error: unknown) => void,
): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void (async () => {
      try {
        await tick();
      } catch (error) {
        onError(error);
      } finally {
        busy = false;
      }
    })();
  }, intervalMs);
  timer.unref?.();
  return () => clearInterval(timer);
}
