/**
 * Refusals of the sandbox's control surface (pay a paid dynamic code, unknown QR, bad fault
 * patch). `status` is the HTTP status the control routes answer with. Protocol errors of the
 * emulated Youzan endpoints are never thrown: they are answered in Youzan's own envelopes.
 */
export class SandboxError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "SandboxError";
  }
}
