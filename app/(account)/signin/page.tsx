import { AuthPage, authPageMetadata, type AuthPageProps } from "@/components/auth/auth-page";

export const generateMetadata = () => authPageMetadata("signIn");

export default function SignInPage(props: AuthPageProps) {
  return <AuthPage kind="signIn" {...props} />;
}
