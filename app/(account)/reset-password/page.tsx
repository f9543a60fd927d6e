import { ResetPasswordPage, resetPasswordMetadata } from "@/components/auth/password-reset-page";
import { resetPasswordAction } from "./actions";

export const generateMetadata = resetPasswordMetadata;

export default function Page(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  return <ResetPasswordPage {...props} action={resetPasswordAction} />;
}
