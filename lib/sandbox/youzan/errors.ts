import { hasBrand } from "@/lib/errors";

/**
 * Refusals of the sandbox's control surface (pay a paid dynamic code, unknown QR, bad fault
 * patch). `status` is the HTTP status the control routes answer with. Protocol errors of the
 * emulated Youzan endpoints are never thrown: they are answered in Youzan's own envelopes.
 */
const SANDBOX_ERROR = Symbol.for("xiaopu.SandboxError");

export class SandboxError extends Error {
  readonly [SANDBOX_ERROR] = true;

  /** Branded: the sandbox singleton may come from another bundle copy (lib/errors.ts hasBrand). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, SANDBOX_ERROR);
  }

  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "SandboxError";
  }
}
