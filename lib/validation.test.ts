import { describe, expect, it } from "vitest";
import { z } from "zod";
import { fieldErrorsOf } from "@/lib/validation";

/*
 * fieldErrorsOf groups issues by top-level field and keeps only the first problem of each field
 * (see the doc comment in lib/validation.ts): a field never shows two codes, and never the same
 * code twice.
 */

function errorOf(schema: z.ZodType, value: unknown): z.ZodError {
  const result = schema.safeParse(value);
  if (result.success) return expect.fail("expected the value to be invalid");
  return result.error;
}

function issue(path: (string | number)[], message: string): z.core.$ZodIssue {
  return { code: "custom", path, message, input: undefined };
}

describe("fieldErrorsOf", () => {
  it("groups by top-level field, keeping the first problem of each", () => {
    const schema = z.object({
      email: z.string().min(1, "email.required"),
      password: z.string().min(8, "password.too_short").regex(/\d/, "password.no_digit"),
      name: z.string().optional(),
    });
    const error = errorOf(schema, { email: "", password: "abc" });
    // zod itself reports both password problems…
    expect(error.issues.filter((i) => i.path[0] === "password")).toHaveLength(2);
    // …but the field shows only the first.
    expect(fieldErrorsOf(error)).toEqual({
      email: ["email.required"],
      password: ["password.too_short"],
    });
  });

  it("leaves out valid fields", () => {
    const schema = z.object({ a: z.string(), b: z.number({ error: "b.invalid" }) });
    const fields = fieldErrorsOf(errorOf(schema, { a: "fine", b: "nope" }));
    expect(Object.keys(fields)).toEqual(["b"]);
    expect(fields.b).toEqual(["b.invalid"]);
  });

  it("never repeats a code on one field", () => {
    const error = new z.ZodError([
      issue(["email"], "email.invalid"),
      issue(["email"], "email.invalid"),
      issue(["email"], "email.taken"),
      issue(["name"], "email.invalid"),
    ]);
    expect(fieldErrorsOf(error)).toEqual({
      email: ["email.invalid"],
      name: ["email.invalid"],
    });
  });

  it("keeps fields in the order of their first issue", () => {
    const error = new z.ZodError([
      issue(["password"], "password.too_short"),
      issue(["email"], "email.invalid"),
      issue(["password"], "password.too_long"),
    ]);
    const fields = fieldErrorsOf(error);
    expect(Object.keys(fields)).toEqual(["password", "email"]);
    expect(fields.password).toEqual(["password.too_short"]);
  });

  it("folds nested paths into their top-level field", () => {
    const schema = z.object({
      tags: z.array(z.string().min(2, "tags.too_short")),
      address: z.object({
        city: z.string({ error: "address.city" }),
        zip: z.string({ error: "address.zip" }),
      }),
    });
    const fields = fieldErrorsOf(errorOf(schema, { tags: ["a", "b", "ok"], address: {} }));
    expect(fields).toEqual({ tags: ["tags.too_short"], address: ["address.city"] });
  });

  it("puts issues without a path under `_`", () => {
    const schema = z
      .object({ password: z.string(), confirm: z.string() })
      .refine((v) => v.password === v.confirm, "password.mismatch");
    expect(fieldErrorsOf(errorOf(schema, { password: "a", confirm: "b" }))).toEqual({
      _: ["password.mismatch"],
    });
    expect(fieldErrorsOf(errorOf(z.string({ error: "body.invalid" }), 42))).toEqual({
      _: ["body.invalid"],
    });
  });

  it("stringifies numeric path segments", () => {
    const schema = z.array(z.number({ error: "item.invalid" }));
    expect(fieldErrorsOf(errorOf(schema, [1, "x", "y"]))).toEqual({
      "1": ["item.invalid"],
      "2": ["item.invalid"],
    });
  });

  it("returns an empty object for an error without issues", () => {
    expect(fieldErrorsOf(new z.ZodError([]))).toEqual({});
  });
});
