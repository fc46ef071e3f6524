/** Roles a user can hold in a company. */
export type Role = 'owner' | 'admin' | 'member';

/** Every scope a credential can be limited to, with what it allows. */
export const SCOPES = {
  'users:read': 'Read users (yourself; the whole company for admins and owners)',
  'users:write': 'Create, update and delete users (Platform API keys and sessions only)',
  'meeting-types:read': 'Read meeting types',
  'meeting-types:write': 'Create, update and delete meeting types',
  'availability:read': 'Read weekly availability',
  'availability:write': 'Change weekly availability',
  'appointments:read': 'Read appointments',
  'appointments:write': 'Cancel appointments',
  'credentials:manage':
    'Manage tokens and API keys, read activity and the audit log (never granted by default)',
} as const;

export type Scope = keyof typeof SCOPES;

export const ALL_SCOPES = Object.keys(SCOPES) as Scope[];

/** The scope that is never part of a credential's default access. */
export const MANAGEMENT_SCOPE: Scope = 'credentials:manage';

export function isScope(value: string): value is Scope {
  return Object.hasOwn(SCOPES, value);
}

/** True for roles that read and manage the whole company's resources. */
export function isCompanyAdmin(role: Role): boolean {
  return role === 'owner' || role === 'admin';
}

/**
 * Whether a principal may use `scope`: a credential without scopes has the full access of the
 * user it acts as, except credential management; with scopes, access = role ∩ scopes. Roles do
 * not restrict scopes here: reach (own vs company) is decided per resource by the role.
 */
export function hasScope(scopes: readonly string[] | null, viaCredential: boolean, scope: Scope): boolean {
  if (!viaCredential) return true;
  if (scopes === null) return scope !== MANAGEMENT_SCOPE;
  return scopes.includes(scope);
}
