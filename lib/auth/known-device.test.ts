import { describe, expect, it } from "vitest";
import { deviceCookieValue, KNOWN_DEVICE_COOKIE, signDevice, verifyDevice } from "./known-device";

const id = "AbCdEfGhIjKlMnOpQrStUv";

describe("known-device cookie", () => {
  it("verifies its own signature only", () => {
    expect(verifyDevice("s1", signDevice("s1", id))).toBe(id);
    expect(verifyDevice("s2", signDevice("s1", id))).toBeNull();
    expect(verifyDevice("s1", `${id}x.${signDevice("s1", id).split(".")[1]}`)).toBeNull();
    for (const bad of [null, undefined, "", id, `${id}.`, ".sig", `${id}.a.b`, "ä.b"]) {
      expect(verifyDevice("s1", bad)).toBeNull();
    }
  });

  it("finds the cookie in a Cookie header", () => {
    expect(deviceCookieValue(`a=1; ${KNOWN_DEVICE_COOKIE}=v.s; b=2`)).toBe("v.s");
    expect(deviceCookieValue("a=1")).toBeNull();
    expect(deviceCookieValue(null)).toBeNull();
  });
});
