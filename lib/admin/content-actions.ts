"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db";
import { getCurrentUser } from "@/lib/auth/guards";
import { isAppError } from "@/lib/errors";
import { moduleLogger } from "@/lib/logger";
import type { ContentActionState, ContentFormState } from "./content-form-state";
import { LESSON_FIELDS, POST_FIELDS, type ContentFormValues } from "./content-input";
import { createLesson, deleteLesson, editLesson, reorderLessons } from "./content-lessons";
import { createPost, deletePost, editPost, setPublished } from "./content-posts";

const log = moduleLogger("admin-content");

/** The admin acting, or the state to show; every action checks the role itself. */
async function actingAdmin(): Promise<{ id: string } | { error: "unauthorized" | "forbidden" }> {
  const user = await getCurrentUser();
  if (!user) return { error: "unauthorized" };
  if (user.role !== "admin") return { error: "forbidden" };
  return user;
}

function formInput(
  form: FormData,
  names: readonly string[],
): { input: Record<string, unknown>; values: ContentFormValues } {
  const input: Record<string, unknown> = {};
  const values: Record<string, string> = {};
  for (const field of names) {
    const value = form.get(field);
    if (value === null) continue;
    input[field] = value;
    // Echoed back into the form when refused; a body may be 100k characters, so it is kept.
    if (typeof value === "string") values[field] = value.slice(0, 100_500);
  }
  return { input, values };
}

const text = (form: FormData, name: string): string | null => {
  const value = form.get(name);
  return typeof value === "string" && value !== "" ? value : null;
};

function failed(error: unknown, what: string, context: Record<string, unknown>) {
  if (isAppError(error, "not_found")) return "not_found" as const;
  if (isAppError(error, "bad_request") || isAppError(error, "conflict")) return "invalid" as const;
  log.error({ err: error, ...context }, what);
  return "failed" as const;
}

function revalidateContent() {
  revalidatePath("/admin/products", "layout");
  revalidatePath("/admin/members");
}

/** Creates a lesson (no `lessonId`) for `productId`, or saves one. */
export async function saveLessonAction(
  _: ContentFormState,
  form: FormData,
): Promise<ContentFormState> {
  const { input, values } = formInput(form, LESSON_FIELDS);
  const admin = await actingAdmin();
  if ("error" in admin) return { error: admin.error, values };
  const productId = text(form, "productId");
  const lessonId = text(form, "lessonId");
  if (!lessonId && !productId) return { error: "invalid", values };
  try {
    const db = await getDb();
    const result = lessonId
      ? await editLesson(db, admin.id, lessonId, input)
      : await createLesson(db, admin.id, productId!, input);
    if (!result.ok) return { fields: result.fields, values };
    revalidateContent();
    return {
      saved: lessonId ? (result.changed ? "updated" : "unchanged") : "created",
      id: result.lesson.id,
      values,
    };
  } catch (error) {
    return { error: failed(error, "lesson save failed", { productId, lessonId }), values };
  }
}

/**
 * What the actions on one row by its id share: the admin, the id from the form, the change,
 * the pages revalidated, and a failure logged and answered as a state.
 */
async function onRow(
  form: FormData,
  field: "lessonId" | "postId",
  what: string,
  change: (adminId: string, id: string) => Promise<ContentActionState>,
): Promise<ContentActionState> {
  const admin = await actingAdmin();
  if ("error" in admin) return { error: admin.error };
  const id = text(form, field);
  if (!id) return { error: "invalid" };
  try {
    const state = await change(admin.id, id);
    revalidateContent();
    return state;
  } catch (error) {
    return { error: failed(error, `${what} failed`, { [field]: id }) };
  }
}

export async function deleteLessonAction(
  _: ContentActionState,
  form: FormData,
): Promise<ContentActionState> {
  return onRow(form, "lessonId", "lesson delete", async (adminId, lessonId) => {
    await deleteLesson(await getDb(), adminId, lessonId);
    return { done: "deleted" };
  });
}

/** `ids`: the product's lesson ids in their new order, comma-separated. */
export async function reorderLessonsAction(
  _: ContentActionState,
  form: FormData,
): Promise<ContentActionState> {
  const admin = await actingAdmin();
  if ("error" in admin) return { error: admin.error };
  const productId = text(form, "productId");
  const ids = text(form, "ids");
  if (!productId || ids === null) return { error: "invalid" };
  try {
    const { changed } = await reorderLessons(await getDb(), admin.id, productId, ids.split(","));
    revalidateContent();
    return { done: changed ? "reordered" : "unchanged" };
  } catch (error) {
    return { error: failed(error, "lesson reorder failed", { productId }) };
  }
}

/** Creates a draft post (no `postId`), or saves one. */
export async function savePostAction(
  _: ContentFormState,
  form: FormData,
): Promise<ContentFormState> {
  const { input, values } = formInput(form, POST_FIELDS);
  const admin = await actingAdmin();
  if ("error" in admin) return { error: admin.error, values };
  const postId = text(form, "postId");
  try {
    const db = await getDb();
    const result = postId
      ? await editPost(db, admin.id, postId, input)
      : await createPost(db, admin.id, input);
    if (!result.ok) return { fields: result.fields, values };
    revalidateContent();
    return {
      saved: postId ? (result.changed ? "updated" : "unchanged") : "created",
      id: result.post.id,
      values,
    };
  } catch (error) {
    return { error: failed(error, "post save failed", { postId }), values };
  }
}

/** `published` = "true" publishes now, "false" takes the post back to a draft. */
export async function publishPostAction(
  _: ContentActionState,
  form: FormData,
): Promise<ContentActionState> {
  const published = form.get("published");
  if (published !== "true" && published !== "false") {
    // The role first: a stranger learns nothing about the form's shape.
    const admin = await actingAdmin();
    return { error: "error" in admin ? admin.error : "invalid" };
  }
  return onRow(form, "postId", "post publish", async (adminId, postId) => {
    const { changed, post } = await setPublished(
      await getDb(),
      adminId,
      postId,
      published === "true",
    );
    if (!changed) return { done: "unchanged" };
    return { done: post.publishedAt ? "published" : "unpublished" };
  });
}

export async function deletePostAction(
  _: ContentActionState,
  form: FormData,
): Promise<ContentActionState> {
  return onRow(form, "postId", "post delete", async (adminId, postId) => {
    await deletePost(await getDb(), adminId, postId);
    return { done: "deleted" };
  });
}
