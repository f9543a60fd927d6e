import { AuthPage, authPageMetadata, type AuthPageProps } from "@/components/auth/auth-page";

export const generateMetadata = () => authPageMetadata("signUp");

export default function SignUpPage(props: AuthPageProps) {
  return <AuthPage kind="signUp" {...props} />;
}
