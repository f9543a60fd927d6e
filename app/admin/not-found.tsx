import { MessagePage } from "@/components/layout/message-page";

/** An unknown order, subscription, product… inside the admin: the 404 keeps the admin's shell. */
export default function AdminNotFound() {
  return <MessagePage namespace="notFound" testId="not-found" />;
}
