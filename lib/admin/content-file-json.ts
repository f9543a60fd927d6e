import type { ProductFile } from "@/db/schema";

/** A file as the admin's API and file list show it (never its storage key). */
export interface FileJson {
  id: string;
  productId: string | null;
  fileName: string;
  contentType: string;
  byteSize: number;
  sha256: string;
  position: number;
  createdAt: string;
  updatedAt: string;
}

export function fileJson(file: ProductFile): FileJson {
  return {
    id: file.id,
    productId: file.productId,
    fileName: file.fileName,
    contentType: file.contentType,
    byteSize: file.byteSize,
    sha256: file.sha256,
    position: file.position,
    createdAt: file.createdAt.toISOString(),
    updatedAt: file.updatedAt.toISOString(),
  };
}
