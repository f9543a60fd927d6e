import { describe, expect, it, vi } from "vitest";
import { lazyS3Storage, storageFor } from "./index";
import type { FileStorage } from "./types";

vi.mock("server-only", () => ({}));

const S3_CONFIG: Parameters<typeof lazyS3Storage>[0] = {
  kind: "s3",
  bucket: "shop",
  region: "auto",
  endpoint: "http://127.0.0.1:9",
  accessKeyId: "key",
  secretAccessKey: "secret",
  forcePathStyle: true,
};

function fakeDriver(): FileStorage {
  return {
    put: vi.fn(async () => ({ size: 1, sha256: "x" })),
    get: vi.fn(async () => null),
    delete: vi.fn(async () => {}),
    signedUrl: vi.fn(async (key: string) => `https://bucket.example.com/${key}`),
  };
}

describe("the S3 driver, loaded at its first use", () => {
  it("loads nothing until a method is called, then once for every call", async () => {
    const driver = fakeDriver();
    const load = vi.fn(async () => driver);
    const storage = lazyS3Storage(S3_CONFIG, load);
    expect(load).not.toHaveBeenCalled();

    const [url, missing] = await Promise.all([
      storage.signedUrl("files/a.pdf", {
        expiresInSeconds: 60,
        fileName: "a.pdf",
        contentType: "application/pdf",
      }),
      storage.get("files/b.pdf", { start: 0, end: 9 }),
    ]);
    await storage.delete("files/c.pdf");

    expect(url).toBe("https://bucket.example.com/files/a.pdf");
    expect(missing).toBeNull();
    expect(load).toHaveBeenCalledTimes(1);
    expect(driver.get).toHaveBeenCalledWith("files/b.pdf", { start: 0, end: 9 });
    expect(driver.delete).toHaveBeenCalledWith("files/c.pdf");
  });

  it("a failed load reaches the caller and is tried again on the next call", async () => {
    const driver = fakeDriver();
    const load = vi
      .fn<() => Promise<FileStorage>>()
      .mockRejectedValueOnce(new Error("module failed to load"))
      .mockResolvedValue(driver);
    const storage = lazyS3Storage(S3_CONFIG, load);

    await expect(storage.delete("files/a.pdf")).rejects.toThrow("module failed to load");
    await expect(storage.delete("files/a.pdf")).resolves.toBeUndefined();
    expect(load).toHaveBeenCalledTimes(2);
  });

  it("the real driver loads behind it (the same answers as s3Storage's)", async () => {
    const storage = storageFor(S3_CONFIG);
    // An invalid key is refused by the driver itself, before any request to the bucket.
    await expect(storage.get("../escape")).rejects.toMatchObject({ code: "invalid_key" });
  });
});
