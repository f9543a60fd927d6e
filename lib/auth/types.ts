import type { DefaultSession } from "next-auth";

export type Role = "buyer" | "admin";

declare module "next-auth" {
  interface Session {
    user: { id: string; role: Role } & DefaultSession["user"];
    /** The user's session version when this session signed in (see users.session_version). */
    sessionVersion?: number;
  }
}

declare module "@auth/core/jwt" {
  interface JWT {
    uid?: string;
    role?: Role;
    /** users.session_version at sign-in; a bump ends this token. */
    sv?: number;
  }
}
