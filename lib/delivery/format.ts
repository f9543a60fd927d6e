/** A file size for people: 1 decimal from KB up (`834 B`, `12.3 KB`, `4.0 MB`, `1.2 GB`). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "—";
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  const units = ["KB", "MB", "GB", "TB"] as const;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** The short label of a delivered file's type (the type is read from its bytes at upload). */
export function fileKindLabel(contentType: string): "PDF" | "EPUB" | "ZIP" | "FILE" {
  switch (contentType) {
    case "application/pdf":
      return "PDF";
    case "application/epub+zip":
      return "EPUB";
    case "application/zip":
      return "ZIP";
    default:
      return "FILE";
  }
}
