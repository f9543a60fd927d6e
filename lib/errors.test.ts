import { describe, expect, it } from "vitest";
import { AppError, ERROR_STATUS, isAppError, toErrorBody, type ErrorCode } from "@/lib/errors";

const EXPECTED: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 422,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  provider_refused: 502,
  provider_unavailable: 503,
  service_unavailable: 503,
  internal: 500,
};

const CODES = Object.keys(EXPECTED) as ErrorCode[];

describe("ERROR_STATUS", () => {
  it("has exactly the documented codes", () => {
    expect(Object.keys(ERROR_STATUS).sort()).toEqual([...CODES].sort());
  });

  it.each(CODES)("%s maps to its status", (code) => {
    expect(ERROR_STATUS[code]).toBe(EXPECTED[code]);
  });
});

describe("AppError", () => {
  it.each(CODES)("new AppError(%j) carries code, status and message", (code) => {
    const error = new AppError(code, `message for ${code}`);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("AppError");
    expect(error.code).toBe(code);
    expect(error.status).toBe(EXPECTED[code]);
    expect(error.message).toBe(`message for ${code}`);
    expect(error.fields).toBeUndefined();
  });

  it("keeps fields and cause", () => {
    const cause = new Error("root");
    const error = new AppError("validation_failed", "bad", { email: ["email.invalid"] }, { cause });
    expect(error.fields).toEqual({ email: ["email.invalid"] });
    expect(error.cause).toBe(cause);
  });
});

describe("toErrorBody", () => {
  it.each(CODES)("an AppError(%j) becomes its status and public body", (code) => {
    const { status, body } = toErrorBody(new AppError(code, "Shown to the user."));
    expect(status).toBe(EXPECTED[code]);
    expect(body).toEqual({ error: { code, message: "Shown to the user." } });
  });

  it("omits the fields key when the error has none", () => {
    const { body } = toErrorBody(new AppError("not_found", "No such order."));
    expect(Object.keys(body.error).sort()).toEqual(["code", "message"]);
  });

  it("includes fields when present", () => {
    const fields = { email: ["email.invalid"], password: ["password.too_short"] };
    const { status, body } = toErrorBody(new AppError("validation_failed", "Invalid.", fields));
    expect(status).toBe(422);
    expect(body).toEqual({
      error: { code: "validation_failed", message: "Invalid.", fields },
    });
  });

  it("does not leak the cause of an AppError", () => {
    const error = new AppError("provider_unavailable", "Try later.", undefined, {
      cause: new Error("token=sk_live_secret"),
    });
    expect(JSON.stringify(toErrorBody(error))).not.toContain("sk_live_secret");
  });

  it.each([
    ["a plain Error", new Error("password=hunter2 at db.internal:5432")],
    ["a TypeError", new TypeError("password=hunter2 is not a function")],
    ["a string", "password=hunter2"],
    [
      "an object that looks like an AppError",
      { code: "not_found", status: 404, message: "password=hunter2" },
    ],
    ["null", null],
    ["undefined", undefined],
  ])("hides %s behind a generic 500", (_label, thrown) => {
    const { status, body } = toErrorBody(thrown);
    expect(status).toBe(500);
    expect(body.error.code).toBe("internal");
    expect(body.error.message).toMatch(/went wrong/i);
    expect(body.error.fields).toBeUndefined();
    expect(JSON.stringify(body)).not.toContain("hunter2");
  });
});

describe("isAppError", () => {
  it("recognises AppErrors and optionally their code", () => {
    const error = new AppError("conflict", "taken");
    expect(isAppError(error)).toBe(true);
    expect(isAppError(error, "conflict")).toBe(true);
    expect(isAppError(error, "not_found")).toBe(false);
  });

  it("rejects other values", () => {
    expect(isAppError(new Error("conflict"))).toBe(false);
    expect(isAppError({ code: "conflict", status: 409 }, "conflict")).toBe(false);
    expect(isAppError(undefined)).toBe(false);
  });
});

describe("the AppError brand", () => {
  it("recognises an AppError made by another copy of the class, and nothing else", () => {
    // What another bundle's copy of AppError produces: a different class with the same brand.
    const copy: object = Object.assign(new Error("taken"), {
      [Symbol.for("xiaopu.AppError")]: true,
      code: "conflict",
    });
    expect(isAppError(copy)).toBe(true);
    expect(isAppError(copy, "conflict")).toBe(true);
    expect(isAppError(copy, "not_found")).toBe(false);
    expect(isAppError(Object.create(AppError.prototype))).toBe(false);
    expect(isAppError({ [Symbol.for("xiaopu.AppError")]: "yes" })).toBe(false);
  });

  it("leaves instanceof to the prototype chain", () => {
    const copy: object = Object.assign(new Error("x"), { [Symbol.for("xiaopu.AppError")]: true });
    expect(copy instanceof AppError).toBe(false);
    expect(new AppError("not_found", "x") instanceof Error).toBe(true);
  });
});
