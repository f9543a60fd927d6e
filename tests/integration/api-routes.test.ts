import { describe, expect, it } from "vitest";
import { POST as signupRoute } from "@/app/api/account/signup/route";
import { GET as healthRoute } from "@/app/api/health/route";
import { users } from "@/db/schema";
import { withTestDatabase } from "../helpers/db";

const t = withTestDatabase();

function post(
  body: BodyInit | null,
  headers: Record<string, string> = { "content-type": "application/json" },
) {
  return signupRoute(
    new Request("http://localhost/api/account/signup", { method: "POST", body, headers }),
    undefined,
  );
}

async function errorOf(response: Response) {
  const body = (await response.json()) as {
    error: { code: string; message: string; fields?: Record<string, string[]> };
  };
  return { status: response.status, ...body.error };
}

describe("POST /api/account/signup", () => {
  it("creates a buyer: 201 without the password hash", async () => {
    const response = await post(
      JSON.stringify({ email: "Zhou@Example.com", password: "a good password" }),
    );
    expect(response.status).toBe(201);
    const body = (await response.json()) as { user: Record<string, unknown> };
    expect(body.user).toMatchObject({ email: "zhou@example.com", role: "buyer" });
    expect(Object.keys(body.user).sort()).toEqual(["email", "id", "name", "role"]);
  });

  it("answers every kind of malformed input with a 4xx and a reason, creating nothing", async () => {
    const cases: [BodyInit | null, Record<string, string> | undefined, number, string][] = [
      ["{not json", undefined, 400, "bad_request"],
      ["", undefined, 400, "bad_request"],
      [null, undefined, 400, "bad_request"],
      [
        "email=a@b.co&password=12345678",
        { "content-type": "application/x-www-form-urlencoded" },
        415,
        "unsupported_media_type",
      ],
      [
        JSON.stringify({ email: "a@b.co", password: "12345678" }),
        {},
        415,
        "unsupported_media_type",
      ],
      [JSON.stringify([1, 2]), undefined, 422, "validation_failed"],
      [JSON.stringify("a string"), undefined, 422, "validation_failed"],
      [JSON.stringify(null), undefined, 422, "validation_failed"],
      [JSON.stringify({ email: "nope", password: "1" }), undefined, 422, "validation_failed"],
      [
        JSON.stringify({ email: "a@b.co", password: "x".repeat(70_000) }),
        undefined,
        413,
        "payload_too_large",
      ],
      ["\u0000\uffff", undefined, 400, "bad_request"],
    ];
    for (const [body, headers, status, code] of cases) {
      const error = await errorOf(await post(body, headers));
      expect({ body: String(body).slice(0, 30), status: error.status, code: error.code }).toEqual({
        body: String(body).slice(0, 30),
        status,
        code,
      });
      expect(error.message.length).toBeGreaterThan(0);
    }
    expect(await t.db().$count(users)).toBe(0);
  });

  it("names the invalid fields with stable codes", async () => {
    const error = await errorOf(await post(JSON.stringify({ email: "nope", password: "1" })));
    expect(error.fields).toEqual({ email: ["email.invalid"], password: ["password.too_short"] });
  });

  it("refuses a duplicate email with 409 and the field code", async () => {
    await post(JSON.stringify({ email: "dup@example.com", password: "password-1" }));
    const error = await errorOf(
      await post(JSON.stringify({ email: "DUP@example.com", password: "password-2" })),
    );
    expect(error).toMatchObject({
      status: 409,
      code: "conflict",
      fields: { email: ["email.taken"] },
    });
    expect(await t.db().$count(users)).toBe(1);
  });
});

describe("GET /api/health", () => {
  it("reports the database and mode", async () => {
    const response = await healthRoute(new Request("http://localhost/api/health"), undefined);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, paymentsMode: "sandbox" });
  });
});
