import "server-only";
import { hasBrand } from "@/lib/errors";

/**
 * Refusals of the sandbox's control surface (pay a paid dynamic code, unknown QR, bad fault
 * patch). `status` is the HTTP status the control routes answer with. Protocol errors of the
 * emulated Youzan endpoints are never thrown: they are answered in Youzan's own envelopes.
 */
const SANDBOX_ERROR = Symbol.for("xiaopu.SandboxError");

export class SandboxError extends Error {
  readonly [SANDBOX_ERROR] = true;

  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "SandboxError";
  }
}

/**
 * Catch sites use this brand check rather than `instanceof`: Next bundles routes, pages and
 * server actions separately, and an error built by another bundle's copy of this module is
 * still a SandboxError.
 */
export function isSandboxError(value: unknown): value is SandboxError {
  return hasBrand(value, SANDBOX_ERROR);
}
