import type { CSSProperties, ReactElement } from "react";

/*
 * Generated artwork (rendered to PNG by `next/og`): the shop's icon and each product's cover
 * until the owner uploads one. Shapes and Latin digits only — the renderer has no CJK font, and
 * a cover must not depend on one being installed. Colours follow the brand (app/globals.css).
 */

export const BRAND = "#f0531c";
export const BRAND_DARK = "#b4300c";

/** Covers are 1.91:1 (1200 × 630), what WeChat, Open Graph and most link previews crop to. */
export const COVER = { width: 1200, height: 630 } as const;

/**
 * Where a product's cover is served (app/(shop)/products/[slug]/cover.png). An uploaded cover's
 * URL carries the start of its SHA-256 (`?v=`), so a replaced cover is a new URL and each one
 * can be cached for good; the generated one has none.
 */
export const coverPath = (slug: string, coverSha256?: string | null) =>
  coverSha256
    ? `/products/${slug}/cover.png?v=${coverVersion(coverSha256)}`
    : `/products/${slug}/cover.png`;

/** The `v` of an uploaded cover's URL: 16 hex digits (64 bits) of its SHA-256. */
export const coverVersion = (coverSha256: string) => coverSha256.slice(0, 16);

export type ProductKind = "one_off" | "membership" | "credit_pack";

const PALETTES: Record<ProductKind, [string, string]> = {
  one_off: ["#f0531c", "#b4300c"],
  membership: ["#0f766e", "#115e59"],
  credit_pack: ["#4338ca", "#312e81"],
};

/** A small deterministic hash: the same slug always gets the same pattern. */
export function slugSeed(slug: string): number {
  let hash = 2166136261;
  for (let i = 0; i < slug.length; i++) {
    hash ^= slug.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  return hash >>> 0;
}

const abs = (style: CSSProperties): CSSProperties => ({ position: "absolute", ...style });

/** The mark: an awning over a counter (a shop front), white on the brand colour. */
export function ShopMark({ size }: { size: number }): ReactElement {
  const unit = size / 16;
  const stripes = [0, 1, 2, 3];
  return (
    <div
      style={{
        width: size,
        height: size,
        display: "flex",
        position: "relative",
        background: BRAND,
        borderRadius: unit * 3.5,
      }}
    >
      {stripes.map((i) => (
        <div
          key={i}
          style={abs({
            left: unit * (2.5 + i * 2.75),
            top: unit * 3,
            width: unit * 2.75,
            height: unit * 3.5,
            background: i % 2 === 0 ? "#ffffff" : "#ffe6d4",
            borderBottomLeftRadius: unit * 1.4,
            borderBottomRightRadius: unit * 1.4,
          })}
        />
      ))}
      <div
        style={abs({
          left: unit * 3.5,
          top: unit * 7.5,
          width: unit * 9,
          height: unit * 5.5,
          background: "#ffffff",
          borderRadius: unit * 0.8,
        })}
      />
      <div
        style={abs({
          left: unit * 7,
          top: unit * 9,
          width: unit * 2,
          height: unit * 4,
          background: BRAND_DARK,
          borderTopLeftRadius: unit * 0.6,
          borderTopRightRadius: unit * 0.6,
        })}
      />
    </div>
  );
}

/** What a product's cover shows: its kind's colours, a pattern of its own, its price. */
export function ProductCover({
  slug,
  kind,
  price,
  width,
  height,
}: {
  slug: string;
  kind: ProductKind;
  /** Shown as is (e.g. "¥19.90"): digits and the yuan sign only. */
  price: string;
  width: number;
  height: number;
}): ReactElement {
  const [from, to] = PALETTES[kind];
  const seed = slugSeed(slug);
  const circles = [0, 1, 2, 3, 4].map((i) => {
    const bits = (seed >>> (i * 6)) & 63;
    const radius = height * (0.18 + (bits % 7) * 0.05);
    return {
      left: (((bits * 37 + i * 211) % 100) / 100) * width - radius,
      top: ((((bits >> 2) * 53 + i * 97) % 100) / 100) * height - radius,
      radius,
      opacity: 0.08 + (bits % 4) * 0.04,
    };
  });
  return (
    <div
      style={{
        width,
        height,
        display: "flex",
        position: "relative",
        overflow: "hidden",
        background: `linear-gradient(135deg, ${from} 0%, ${to} 100%)`,
      }}
    >
      {circles.map((c, i) => (
        <div
          key={i}
          style={abs({
            left: c.left,
            top: c.top,
            width: c.radius * 2,
            height: c.radius * 2,
            borderRadius: c.radius,
            background: `rgba(255, 255, 255, ${c.opacity})`,
          })}
        />
      ))}
      <KindGlyph kind={kind} size={height * 0.42} left={width * 0.08} top={height * 0.29} />
      <div
        style={abs({
          right: width * 0.07,
          bottom: height * 0.1,
          display: "flex",
          color: "#ffffff",
          fontSize: height * 0.16,
          fontWeight: 700,
          letterSpacing: -2,
        })}
      >
        {price}
      </div>
    </div>
  );
}

/** A book (one-off content), a badge (membership) or a stack of coins (credits). */
function KindGlyph({
  kind,
  size,
  left,
  top,
}: {
  kind: ProductKind;
  size: number;
  left: number;
  top: number;
}): ReactElement {
  const white = "rgba(255, 255, 255, 0.92)";
  const soft = "rgba(255, 255, 255, 0.55)";
  if (kind === "one_off") {
    return (
      <div style={abs({ left, top, width: size, height: size, display: "flex" })}>
        <div
          style={abs({
            left: 0,
            top: size * 0.1,
            width: size * 0.48,
            height: size * 0.8,
            background: white,
            borderRadius: size * 0.05,
          })}
        />
        <div
          style={abs({
            left: size * 0.52,
            top: size * 0.1,
            width: size * 0.48,
            height: size * 0.8,
            background: soft,
            borderRadius: size * 0.05,
          })}
        />
      </div>
    );
  }
  if (kind === "membership") {
    return (
      <div style={abs({ left, top, width: size, height: size, display: "flex" })}>
        <div
          style={abs({
            left: size * 0.1,
            top: size * 0.1,
            width: size * 0.8,
            height: size * 0.8,
            borderRadius: size * 0.4,
            border: `${size * 0.1}px solid ${white}`,
          })}
        />
        <div
          style={abs({
            left: size * 0.35,
            top: size * 0.35,
            width: size * 0.3,
            height: size * 0.3,
            borderRadius: size * 0.15,
            background: white,
          })}
        />
      </div>
    );
  }
  return (
    <div style={abs({ left, top, width: size, height: size, display: "flex" })}>
      {[0, 1, 2].map((i) => (
        <div
          key={i}
          style={abs({
            left: size * 0.1,
            top: size * (0.55 - i * 0.22),
            width: size * 0.8,
            height: size * 0.3,
            borderRadius: size * 0.15,
            background: i === 2 ? white : soft,
          })}
        />
      ))}
    </div>
  );
}
