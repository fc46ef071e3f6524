/** Shapes of the Keywarden HTTP API as the dashboard uses them (see docs and SPEC). */

export type Role = 'owner' | 'admin' | 'member';

export interface User {
  id: string;
  email: string;
  givenName: string;
  familyName: string;
  role: Role;
  companyId: string;
  timezone: string;
}

export interface Company {
  id: string;
  name: string;
  plan?: string;
}

export interface AuthResponse {
  user: User;
  company: Company;
}

/** `GET /auth/options`: what the login pages may offer before anyone is logged in. */
export interface AuthOptions {
  signupEnabled: boolean;
}

export interface Scope {
  name: string;
  description: string;
}

export type CredentialStatus = 'active' | 'expired' | 'deactivated' | 'revoked';

export interface Credential {
  id: string;
  kind: 'pat' | 'api_key';
  name: string;
  maskedValue: string;
  scopes: string[] | null;
  status: CredentialStatus;
  createdAt: string;
  expiresAt: string | null;
  expiresLabel: string;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
  ownerUserId: string | null;
  replacedById: string | null;
}

export interface IssuedCredential {
  token: string;
  credential: Credential;
  warning?: string;
  previous?: Credential;
}

export interface CredentialResponse {
  credential: Credential;
}

export interface ActivityEntry {
  at: string;
  method: string;
  route: string;
  status: number;
  ip: string | null;
  userAgent: string | null;
  actingUserId: string | null;
}

export interface AuditEntry {
  id: string;
  at: string;
  action: string;
  actorUserId: string | null;
  actorEmail: string | null;
  credentialId: string | null;
  credentialName: string | null;
  ip: string | null;
}

export interface ListResponse<T> {
  data: T[];
}

/** `expiresIn` presets accepted by `POST /v4/personal-access-tokens`. */
export type PatExpiryPreset = '30d' | '90d' | '6m' | '1y' | 'never';

export type CreatePatBody = { name: string; scopes?: string[] } & (
  | { expiresIn: PatExpiryPreset }
  | { expiresAt: string }
);

export interface CreateApiKeyBody {
  name?: string;
  expiresInDays: number;
  scopes?: string[];
}
