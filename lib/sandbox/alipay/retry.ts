import "server-only";

/**
 * Notification retries (spec §5.5, §9.13): 3 immediate retries (switchable off), then +4m, +10m,
 * +10m, +1h, +2h, +6h, +15h on the sandbox clock; then the notification is dead.
 */
const SCHEDULED_SECONDS = [4 * 60, 10 * 60, 10 * 60, 3600, 2 * 3600, 6 * 3600, 15 * 3600];

export function retrySchedule(immediateRetries: boolean): readonly number[] {
  return immediateRetries ? [0, 0, 0, ...SCHEDULED_SECONDS] : SCHEDULED_SECONDS;
}

/** After failed attempt number `attempt` (1 = the first send): the next due time, or null. */
export function nextNotifyAt(failedAt: Date, attempt: number, immediateRetries: boolean) {
  const wait = retrySchedule(immediateRetries)[attempt - 1];
  if (wait === undefined || attempt < 1) return null;
  return new Date(failedAt.getTime() + wait * 1000);
}

/** Alipay counts a delivery only on HTTP 200 with the body exactly `success`. */
export function isAcknowledged(status: number, body: string): boolean {
  return status === 200 && body === "success";
}

/** Real time a receiver has to answer. */
export const NOTIFY_TIMEOUT_MS = 5_000;
