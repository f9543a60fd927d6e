import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { isSandboxError, SandboxError } from "./errors";
import { sandboxRoute } from "./http";

const request = () =>
  new Request("http://localhost/sandbox/youzan/control/tick", { method: "POST" });

describe("isSandboxError", () => {
  it("recognises the brand, also on an error built by another copy of the class", () => {
    expect(isSandboxError(new SandboxError(409, "paid"))).toBe(true);
    // What a second bundle's copy of errors.ts produces: another class with the same brand.
    const foreign = Object.assign(new Error("paid"), {
      status: 409,
      [Symbol.for("xiaopu.SandboxError")]: true,
    });
    expect(isSandboxError(foreign)).toBe(true);
    expect(isSandboxError(new Error("x"))).toBe(false);
    expect(isSandboxError({ status: 409 })).toBe(false);
    expect(isSandboxError(null)).toBe(false);
  });
});

describe("sandboxRoute", () => {
  it("is a JSON 404 when the sandbox is off, without running the handler", async () => {
    let ran = false;
    const handler = sandboxRoute(
      async () => {
        ran = true;
        return Response.json({ ok: true });
      },
      () => false,
    );
    const response = await handler(request(), undefined);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: "not_found", message: "Not found." } });
    expect(ran).toBe(false);
  });

  it("maps SandboxErrors and AppErrors to their 4xx", async () => {
    const cases: [Error, number, string][] = [
      [new SandboxError(409, "already paid"), 409, "conflict"],
      [new SandboxError(400, "bad faults"), 400, "bad_request"],
      [new SandboxError(404, "no such QR"), 404, "not_found"],
      [
        Object.assign(new Error("from another bundle"), {
          status: 409,
          [Symbol.for("xiaopu.SandboxError")]: true,
        }),
        409,
        "conflict",
      ],
      [new AppError("validation_failed", "bad"), 422, "validation_failed"],
    ];
    for (const [error, status, code] of cases) {
      const handler = sandboxRoute(
        async () => {
          throw error;
        },
        () => true,
      );
      const response = await handler(request(), undefined);
      expect(response.status).toBe(status);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
    }
  });
});
