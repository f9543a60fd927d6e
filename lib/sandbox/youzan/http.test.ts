import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { SandboxError } from "./errors";
import { sandboxRoute } from "./http";

const request = () =>
  new Request("http://localhost/sandbox/youzan/control/tick", { method: "POST" });

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
