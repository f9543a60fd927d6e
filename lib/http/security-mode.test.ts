import { beforeEach, describe, expect, it, vi } from "vitest";
import { getEnv } from "@/lib/env";
import { securityMode } from "./security-mode";

vi.mock("@/lib/env", () => ({ getEnv: vi.fn() }));
const env = vi.mocked(getEnv);

describe("securityMode", () => {
  beforeEach(() => env.mockReset());

  it("is live outside the sandbox, development under next dev", () => {
    env.mockReturnValue({ nodeEnv: "production", isSandbox: false } as ReturnType<typeof getEnv>);
    expect(securityMode()).toEqual({ development: false, live: true });
    env.mockReturnValue({ nodeEnv: "development", isSandbox: true } as ReturnType<typeof getEnv>);
    expect(securityMode()).toEqual({ development: true, live: false });
  });

  it("an invalid configuration gets the strictest scripts and no HSTS", () => {
    // What getEnv() does with an invalid configuration: it throws when read.
    const invalid = {
      get nodeEnv(): string {
        throw new Error("invalid env");
      },
    };
    env.mockReturnValue(invalid as unknown as ReturnType<typeof getEnv>);
    expect(securityMode()).toEqual({ development: false, live: false });
  });
});
