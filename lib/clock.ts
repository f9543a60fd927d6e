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
  /** The sandbox clock only: its offset from real time, read from the database. */
  readOffset?(): Promise<number>;
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
    readOffset: () => readClockOffset(db),
  };
}

/**
 * A clock for one request: the sandbox clock's offset is read at the first `now()` and kept, so a
 * request that asks the time several times (the checkout: rate limit, open-order cap, the new
 * order's expiry) reads the database once; real time still moves between the calls. A failed read
 * is not kept. Any other clock (the system's, a test's) is returned as it is.
 */
export function oneReadClock(clock: Clock): Clock {
  const { readOffset, atOffset } = clock;
  if (!readOffset || !atOffset) return clock;
  let offset: Promise<number> | undefined;
  const read = () => {
    offset ??= readOffset().catch((error: unknown) => {
      offset = undefined;
      throw error;
    });
    return offset;
  };
  return { now: async () => atOffset(await read()), atOffset, readOffset: read };
}

/** `deps` whose clock reads the sandbox clock once ({@link oneReadClock}): for one request. */
export function withOneClockRead<D extends { clock: Clock; now: () => Promise<Date> }>(deps: D): D {
  const clock = oneReadClock(deps.clock);
  if (clock === deps.clock) return deps;
  return { ...deps, clock, now: () => clock.now() };
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
