import { TZDate } from "@date-fns/tz";
import { addDays as addCalendarDays, format, parseISO } from "date-fns";
import type { Db } from "@/db/client";
import { addClockOffset, readClockOffset } from "@/db/queries/clock";

/** Business dates (next charge date, windows) are calendar dates in this zone. */
export const BUSINESS_TIME_ZONE = "Asia/Shanghai";

/** The Asia/Shanghai calendar date (`YYYY-MM-DD`) of an instant. */
export function shanghaiDate(instant: Date): string {
  return format(new TZDate(instant.getTime(), BUSINESS_TIME_ZONE), "yyyy-MM-dd");
}

/** Calendar arithmetic on `YYYY-MM-DD` strings, independent of the machine's time zone. */
export function addDays(date: string, days: number): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`not a calendar date: ${date}`);
  return format(addCalendarDays(parseISO(date), days), "yyyy-MM-dd");
}

/** The instant at which a Shanghai calendar date begins (00:00 +08:00). */
export function startOfShanghaiDate(date: string): Date {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return new Date(new TZDate(y, m - 1, d, 0, 0, 0, BUSINESS_TIME_ZONE).getTime());
}

export interface Clock {
  now(): Promise<Date>;
  /**
   * The sandbox clock only: its time for an offset read by a caller's own statement (the status
   * poll reads it with the order, in one round trip), instead of reading it again.
   */
  atOffset?(offsetMs: number): Date;
}

export const systemClock: Clock = { now: async () => new Date() };

/**
 * Sandbox mode has one virtual clock: real time plus an offset stored in `sandbox.clock`, so the
 * shop and both provider sandboxes move together, across processes.
 */
export function offsetClock(db: Db): Clock {
  return {
    async now() {
      return timeAtOffset(await readClockOffset(db));
    },
    atOffset: timeAtOffset,
  };
}

/** The sandbox clock's time, its offset read: real time moved on by `offsetMs`. */
export function timeAtOffset(offsetMs: number): Date {
  return new Date(Date.now() + offsetMs);
}

export { readClockOffset };

/** Moves the sandbox clock forward (never backward: providers' timestamps must not go back). */
export async function advanceClock(db: Db, seconds: number): Promise<number> {
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new RangeError("the clock only moves forward by a finite number of seconds");
  }
  return addClockOffset(db, Math.round(seconds * 1000));
}
