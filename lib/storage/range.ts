import { StorageError, type ByteRange } from "./types";

/**
 * The byte range of a `Range` header for an object of `size` bytes (RFC 9110 §14): one range
 * only (`bytes=a-b`, `bytes=a-`, `bytes=-n`); null when there is no usable header (the whole
 * object is served, as the RFC allows for anything it cannot parse); `range_not_satisfiable`
 * (416) when the range lies outside the object.
 */
export function parseRange(header: string | null, size: number): ByteRange | null {
  if (header === null) return null;
  const match = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim());
  if (!match) return null;
  const [, first, last] = match as unknown as [string, string, string];
  if (first === "" && last === "") return null;
  if (first === "") {
    // The last n bytes.
    const n = Number(last);
    if (n === 0 || size === 0) throw unsatisfiable(size);
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== "" && Number(last) < start) return null;
  if (start >= size) throw unsatisfiable(size);
  return { start, end };
}

function unsatisfiable(size: number): StorageError {
  return new StorageError("range_not_satisfiable", `The object has ${size} bytes.`);
}
