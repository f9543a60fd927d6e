import jsQR from "jsqr";
import { PNG } from "pngjs";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The text a PNG's QR code holds (throws if the bytes are not a PNG or hold no readable code). */
export function decodeQrPng(bytes: Buffer): string {
  if (!bytes.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error("not a PNG");
  const png = PNG.sync.read(bytes);
  const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  if (!code) throw new Error("no QR code found in the PNG");
  return code.data;
}

/** The same for an image given as a `data:image/png;base64,…` URL. */
export function decodeQrDataUrl(dataUrl: string): string {
  const match = /^data:image\/png;base64,(.+)$/.exec(dataUrl);
  if (!match) throw new Error(`not a PNG data URL: ${dataUrl.slice(0, 40)}`);
  return decodeQrPng(Buffer.from(match[1]!, "base64"));
}
