import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { proxy } from "@/proxy";

/*
 * What the proxy refuses before any page or route sees it (issue #14, found by the fuzz tier):
 * a NUL character in the path or the query (PostgreSQL refuses it in a text parameter, so the
 * query it reached answered 500), a path that is not percent-encoding, and a multipart POST
 * whose body is not multipart (Next took it for a no-JavaScript action form: 500).
 */

async function refusal(url: string, init?: ConstructorParameters<typeof NextRequest>[1]) {
  const response = await proxy(new NextRequest(new URL(url, "http://shop.test"), init));
  const body =
    response.status === 400
      ? ((await response.json()) as { error: { code: string; message: string } })
      : undefined;
  return { status: response.status, code: body?.error.code, message: body?.error.message };
}

describe("the proxy's refusals", () => {
  it("a NUL character in the path or the query: 400 with a reason", async () => {
    for (const url of [
      "/api/admin/subscriptions/%00",
      "/api/orders/XP1%00/status",
      "/products/a%00b",
      "/api/admin/orders?q=%00",
      "/api/admin/orders?%00=1",
    ]) {
      expect({ url, ...(await refusal(url)) }).toMatchObject({
        url,
        status: 400,
        code: "bad_request",
        message: expect.stringContaining("NUL"),
      });
    }
  });

  it("a path that is not percent-encoding: 400", async () => {
    expect(await refusal("/products/%ZZ")).toMatchObject({ status: 400, code: "bad_request" });
  });

  it("a multipart POST whose body is not multipart: 400; a real one passes", async () => {
    for (const type of ["multipart/form-data", "multipart/form-data; boundary=xyz"]) {
      expect(
        await refusal("/", { method: "POST", headers: { "content-type": type }, body: "a=b" }),
      ).toMatchObject({ status: 400, code: "bad_request" });
    }
    const form = new FormData();
    form.set("a", "b");
    const passed = await refusal("/", { method: "POST", body: form });
    expect(passed.status).toBe(200);
  });

  it("a page asked with a method pages do not answer: 405 with Allow; API routes decide for themselves", async () => {
    for (const method of ["PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND"]) {
      for (const url of ["/", "/products/side-hustle-handbook", "/admin", "/sandbox/mail"]) {
        const response = await proxy(new NextRequest(new URL(url, "http://shop.test"), { method }));
        expect({ method, url, status: response.status }).toEqual({ method, url, status: 405 });
        expect(response.headers.get("allow")).toBe("GET, HEAD, POST");
        expect(response.headers.get("x-content-type-options")).toBe("nosniff");
        const body = (await response.json()) as { error: { code: string; message: string } };
        expect(body.error).toMatchObject({
          code: "method_not_allowed",
          message: expect.stringContaining(method),
        });
      }
    }
    for (const method of ["GET", "HEAD", "POST"]) {
      const response = await proxy(new NextRequest(new URL("/", "http://shop.test"), { method }));
      expect(response.status).toBe(200);
    }
    const api = await proxy(
      new NextRequest(new URL("/api/orders/XP1/status", "http://shop.test"), { method: "DELETE" }),
    );
    expect(api.headers.get("x-middleware-next")).toBe("1");
  });

  it("lets ordinary URLs through", async () => {
    for (const url of ["/", "/api/orders/XP1/status", "/api/admin/orders?q=%E5%B0%8F"]) {
      expect((await refusal(url)).status).toBe(200);
    }
  });
});
