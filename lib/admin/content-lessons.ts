import "server-only";
import type { Db } from "@/db/client";
import {
  deleteLesson as deleteLessonRow,
  insertLesson,
  listLessons,
  lockContentProduct,
  lockLesson,
  nextLessonPosition,
  setLessonPositions,
  updateLesson,
  type LessonChanges,
} from "@/db/queries/admin-content";
import { insertAudit } from "@/db/queries/audit";
import type { Lesson } from "@/db/schema";
import { AppError, type FieldErrors } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { idListSchema, LESSON_FIELDS, parseLessonInput, sameIdSet } from "./content-input";

/*
 * A one-off product's lessons (a course, issue #12): create, edit, delete, reorder, each audited
 * `lesson.<verb>` in its transaction with the before/after of what changed. The caller has
 * checked the admin role.
 */

export type LessonResult =
  { ok: true; lesson: Lesson; changed: boolean } | { ok: false; fields: FieldErrors };

const ID = /^[a-z]{3}_[0-9a-z]{1,40}$/;

async function lockOneOff(tx: Db, productId: string): Promise<void> {
  const product = ID.test(productId) ? await lockContentProduct(tx, productId) : undefined;
  if (!product) throw new AppError("not_found", "No product with this id.");
  if (product.kind !== "one_off") {
    throw new AppError("conflict", "Files and lessons belong to one-off products only.", {
      product: ["product.not_one_off"],
    });
  }
}

export async function createLesson(
  db: Db,
  actorUserId: string,
  productId: string,
  input: unknown,
): Promise<LessonResult> {
  const parsed = parseLessonInput(input);
  if (!parsed.ok) return parsed;
  const lesson = await db.transaction(async (tx) => {
    await lockOneOff(tx, productId);
    const row = await insertLesson(tx, {
      id: newId("les"),
      productId,
      productKind: "one_off",
      position: await nextLessonPosition(tx, productId),
      ...parsed.terms,
    });
    await insertAudit(tx, {
      actorKind: "user",
      actorUserId,
      action: "lesson.create",
      targetType: "lesson",
      targetId: row.id,
      details: { productId, before: null, after: { ...parsed.terms } },
    });
    return row;
  });
  return { ok: true, lesson, changed: true };
}

export async function editLesson(
  db: Db,
  actorUserId: string,
  lessonId: string,
  input: unknown,
): Promise<LessonResult> {
  const parsed = parseLessonInput(input);
  if (!parsed.ok) return parsed;
  return db.transaction(async (tx): Promise<LessonResult> => {
    const before = ID.test(lessonId) ? await lockLesson(tx, lessonId) : undefined;
    if (!before) throw new AppError("not_found", "No lesson with this id.");
    const next = parsed.terms;
    const changedKeys = LESSON_FIELDS.filter((key) => before[key] !== next[key]);
    if (changedKeys.length === 0) return { ok: true, lesson: before, changed: false };
    const changes = Object.fromEntries(changedKeys.map((key) => [key, next[key]])) as LessonChanges;
    const after = await updateLesson(tx, lessonId, changes);
    await insertAudit(tx, {
      actorKind: "user",
      actorUserId,
      action: "lesson.update",
      targetType: "lesson",
      targetId: lessonId,
      details: {
        productId: before.productId,
        before: Object.fromEntries(changedKeys.map((key) => [key, before[key]])),
        after: changes,
      },
    });
    return { ok: true, lesson: after!, changed: true };
  });
}

export async function deleteLesson(db: Db, actorUserId: string, lessonId: string): Promise<Lesson> {
  return db.transaction(async (tx) => {
    const before = ID.test(lessonId) ? await lockLesson(tx, lessonId) : undefined;
    if (!before) throw new AppError("not_found", "No lesson with this id.");
    await deleteLessonRow(tx, lessonId);
    await insertAudit(tx, {
      actorKind: "user",
      actorUserId,
      action: "lesson.delete",
      targetType: "lesson",
      targetId: lessonId,
      details: {
        productId: before.productId,
        before: { titleZh: before.titleZh, titleEn: before.titleEn, position: before.position },
        after: null,
      },
    });
    return before;
  });
}

/** The product's lessons in the order of `ids`, which must name exactly its lessons (400). */
export async function reorderLessons(
  db: Db,
  actorUserId: string,
  productId: string,
  rawIds: unknown,
): Promise<{ changed: boolean }> {
  const parsed = idListSchema.safeParse(rawIds);
  if (!parsed.success) {
    throw new AppError("bad_request", "`ids` must be a list of distinct lesson ids.", {
      ids: ["ids.invalid"],
    });
  }
  const ids = parsed.data;
  return db.transaction(async (tx) => {
    await lockOneOff(tx, productId);
    const current = await listLessons(tx, productId);
    const before = current.map((lesson) => lesson.id);
    if (!sameIdSet(ids, before)) {
      throw new AppError("bad_request", "`ids` must list exactly the lessons there are now.", {
        ids: ["ids.mismatch"],
      });
    }
    const unchanged =
      ids.every((id, index) => id === before[index]) &&
      current.every((lesson, index) => lesson.position === index);
    if (unchanged) return { changed: false };
    await setLessonPositions(tx, ids);
    await insertAudit(tx, {
      actorKind: "user",
      actorUserId,
      action: "lesson.reorder",
      targetType: "product",
      targetId: productId,
      details: { before: { order: before }, after: { order: ids } },
    });
    return { changed: true };
  });
}
