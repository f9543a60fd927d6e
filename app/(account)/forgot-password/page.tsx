import { ForgotPasswordPage, forgotPasswordMetadata } from "@/components/auth/password-reset-page";
import { requestPasswordResetAction } from "./actions";

export const generateMetadata = forgotPasswordMetadata;

export default function Page(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  return <ForgotPasswordPage {...props} action={requestPasswordResetAction} />;
}
