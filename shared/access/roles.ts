/**
 * The three roles of a plan, one per share link (README, "Roles and share links").
 * The link names are the wire names (`links.edit`, `?token=` of the edit
 * link); the people's names (manager, rep, leader) are what the UI says.
 */
export const ROLES = ["edit", "comment", "view"] as const;
export type Role = (typeof ROLES)[number];

/** What a role may do. The server decides with these; the client only hides what would be refused. */
export type Permission =
  /** Create, reshape, rename, delete territories; import data; change plan settings. */
  | "edit-plan"
  /** Start comment threads, reply, edit one's own, resolve or reopen threads one started. */
  | "comment"
  /** Resolve, reopen or edit anyone's comments. */
  | "moderate-comments"
  /** See and rotate the share links. */
  | "manage-links"
  /** Delete the whole plan (DELETE /api/plans/:id). */
  | "delete-plan";

const GRANTS: Record<Role, readonly Permission[]> = {
  edit: ["edit-plan", "comment", "moderate-comments", "manage-links", "delete-plan"],
  comment: ["comment"],
  view: [],
};

/**
 * Whether `role` may do `permission`.
 *
 * @example can("comment", "edit-plan") // false
 */
export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** A sentence for a refused write, naming what the link allows. */
export function forbiddenMessage(role: Role, action: string): string {
  const allows =
    role === "view" ? "only lets you watch the plan" : role === "comment" ? "lets you comment but not edit" : "";
  return `Your link ${allows}, so you cannot ${action}. Ask a manager for an edit link.`;
}
