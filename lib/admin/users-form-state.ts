/** What the role form's server action answers; `error` keys live under `admin.catalog.users.errors`. */
export interface RoleFormState {
  error?:
    | "unauthorized"
    | "forbidden"
    | "invalid"
    | "confirm"
    | "self"
    | "last_admin"
    | "not_found"
    | "failed";
  done?: "changed" | "unchanged";
  role?: "buyer" | "admin";
}
