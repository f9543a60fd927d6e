import { describe, expect, it } from "vitest";
import { z } from "zod";
import { pageQuery } from "./query";

const lenientQuery = (...args: Parameters<typeof pageQuery>) => pageQuery(...args).query;

const schema = z.object({
  status: z.enum(["a", "b"]).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

describe("pageQuery", () => {
  it("keeps what parses and drops what does not", () => {
    expect(lenientQuery(schema, { status: "a", limit: "10" })).toEqual({ status: "a", limit: 10 });
    expect(lenientQuery(schema, { status: "zzz", limit: "10" })).toEqual({ limit: 10 });
    expect(lenientQuery(schema, { status: "b", limit: "1000" })).toEqual({
      status: "b",
      limit: 25,
    });
    expect(lenientQuery(schema, { status: ["a", "b"], extra: "x" })).toEqual({ limit: 25 });
    expect(lenientQuery(schema, { status: "  " })).toEqual({ limit: 25 });
  });

  it("names what it dropped", () => {
    expect(pageQuery(schema, { status: "a" }).invalid).toBeNull();
    expect(pageQuery(schema, { status: "zzz", limit: "1000" }).invalid).toBe("status, limit");
    expect(pageQuery(schema, { status: ["a", "b"] }).invalid).toBe("status");
  });
});
