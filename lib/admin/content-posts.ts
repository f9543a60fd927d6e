import "server-only";
import type { Db } from "@/db/client";
import {
  deletePost as deletePostRow,
  insertPost,
  lockPost,
  setPostPublished,
  updatePost,
  type PostChanges,
} from "@/db/queries/admin-content";
import { insertAudit } from "@/db/queries/audit";
import type { MemberPost } from "@/db/schema";
import { AppError, type FieldErrors } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { parsePostInput, POST_FIELDS } from "./content-input";

/*
 * Members' posts (issue #12): drafts until published; create, edit, publish, unpublish, delete,
 * each audited `post.<verb>` in its transaction. The caller has checked the admin role.
 */

export type PostResult =
  { ok: true; post: MemberPost; changed: boolean } | { ok: false; fields: FieldErrors };

const ID = /^[a-z]{3}_[0-9a-z]{1,40}$/;

const lockExisting = async (tx: Db, postId: string): Promise<MemberPost> => {
  const post = ID.test(postId) ? await lockPost(tx, postId) : undefined;
  if (!post) throw new AppError("not_found", "No post with this id.");
  return post;
};

/** A new draft. */
export async function createPost(db: Db, actorUserId: string, input: unknown): Promise<PostResult> {
  const parsed = parsePostInput(input);
  if (!parsed.ok) return parsed;
  const post = await db.transaction(async (tx) => {
    const row = await insertPost(tx, { id: newId("pst"), ...parsed.terms, publishedAt: null });
    await insertAudit(tx, {
      actorKind: "user",
      actorUserId,
      action: "post.create",
      targetType: "member_post",
      targetId: row.id,
      details: { before: null, after: { ...parsed.terms } },
    });
    return row;
  });
  return { ok: true, post, changed: true };
}

export async function editPost(
  db: Db,
  actorUserId: string,
  postId: string,
  input: unknown,
): Promise<PostResult> {
  const parsed = parsePostInput(input);
  if (!parsed.ok) return parsed;
  return db.transaction(async (tx): Promise<PostResult> => {
    const before = await lockExisting(tx, postId);
    const next = parsed.terms;
    const changedKeys = POST_FIELDS.filter((key) => before[key] !== next[key]);
    if (changedKeys.length === 0) return { ok: true, post: before, changed: false };
    const changes = Object.fromEntries(changedKeys.map((key) => [key, next[key]])) as PostChanges;
    const after = await updatePost(tx, postId, changes);
    await insertAudit(tx, {
      actorKind: "user",
      actorUserId,
      action: "post.update",
      targetType: "member_post",
      targetId: postId,
      details: {
        before: Object.fromEntries(changedKeys.map((key) => [key, before[key]])),
        after: changes,
      },
    });
    return { ok: true, post: after!, changed: true };
  });
}

/** Publishes now, or takes back to a draft. Already so → no change, no audit row. */
export async function setPublished(
  db: Db,
  actorUserId: string,
  postId: string,
  published: boolean,
): Promise<{ post: MemberPost; changed: boolean }> {
  return db.transaction(async (tx) => {
    const before = await lockExisting(tx, postId);
    if ((before.publishedAt !== null) === published) return { post: before, changed: false };
    const after = (await setPostPublished(tx, postId, published))!;
    const details = {
      before: { publishedAt: before.publishedAt?.toISOString() ?? null },
      after: { publishedAt: after.publishedAt?.toISOString() ?? null },
    };
    if (published) {
      await insertAudit(tx, {
        actorKind: "user",
        actorUserId,
        action: "post.publish",
        targetType: "member_post",
        targetId: postId,
        details,
      });
    } else {
      await insertAudit(tx, {
        actorKind: "user",
        actorUserId,
        action: "post.unpublish",
        targetType: "member_post",
        targetId: postId,
        details,
      });
    }
    return { post: after, changed: true };
  });
}

export async function deletePost(db: Db, actorUserId: string, postId: string): Promise<MemberPost> {
  return db.transaction(async (tx) => {
    const before = await lockExisting(tx, postId);
    await deletePostRow(tx, postId);
    await insertAudit(tx, {
      actorKind: "user",
      actorUserId,
      action: "post.delete",
      targetType: "member_post",
      targetId: postId,
      details: {
        before: {
          titleZh: before.titleZh,
          titleEn: before.titleEn,
          publishedAt: before.publishedAt?.toISOString() ?? null,
        },
        after: null,
      },
    });
    return before;
  });
}
