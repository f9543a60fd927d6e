import type { GrantState, MembershipState } from "@/db/queries/delivery";
import { PRODUCT_SLUG } from "@/lib/validation-slug";

/*
 * Who may open a delivered file, a lesson or a members' post, decided at the moment of the
 * request from the buyer's grants (never from a link or a cached page): a refunded purchase or
 * an expired membership is refused at once. Pure, so the rules are tested as a table
 * (access.test.ts); db/queries/delivery.ts reads the grants.
 */

export type RefusalReason = "not_owned" | "refunded" | "not_member" | "membership_expired";

export type Access =
  | {
      kind: "allowed";
      /** The order that gave access (the stamp names it); null for the owner's own preview. */
      orderNo: string | null;
      /** The shop's owner previewing: nothing stamped, nothing counted. */
      owner: boolean;
    }
  | { kind: "refused"; reason: RefusalReason };

export type Viewer = { role: "buyer" | "admin" };

/** Access to a one-off product's files and lessons. */
export function productAccess(viewer: Viewer, grant: GrantState): Access {
  if (grant.state === "live") return { kind: "allowed", orderNo: grant.orderNo, owner: false };
  if (viewer.role === "admin") return { kind: "allowed", orderNo: null, owner: true };
  return { kind: "refused", reason: grant.state === "revoked" ? "refunded" : "not_owned" };
}

/** Access to the members' area (its files and posts). */
export function membersAccess(viewer: Viewer, membership: MembershipState): Access {
  if (membership.state === "running") {
    return { kind: "allowed", orderNo: membership.orderNo, owner: false };
  }
  if (viewer.role === "admin") return { kind: "allowed", orderNo: null, owner: true };
  return {
    kind: "refused",
    reason: membership.state === "expired" ? "membership_expired" : "not_member",
  };
}

/** The message a refused download's JSON carries (the pages show their own translated text). */
export const REFUSAL_MESSAGES: Record<RefusalReason, string> = {
  not_owned: "You have not bought this product.",
  refunded: "This purchase was refunded; its files are no longer available.",
  not_member: "This is for members; start a membership to open it.",
  membership_expired: "Your membership has ended; renew it to open this again.",
};

/** Ids the shop mints (`newId`): anything else names no row and never reaches a query. */
const ID_SHAPE = /^[a-z]{3}_[0-9a-z]{20}$/;

export function isShopId(value: string, prefix: "fil" | "les" | "pst"): boolean {
  return value.startsWith(`${prefix}_`) && ID_SHAPE.test(value);
}

/** Product slugs as the catalogue allows them (lib/validation-slug.ts); anything else: 404. */
export function isSlugShape(value: string): boolean {
  return PRODUCT_SLUG.test(value);
}
