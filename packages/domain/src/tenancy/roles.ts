/** From the most to the least privileged. */
export const ROLES = ['owner', 'admin', 'developer', 'operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
