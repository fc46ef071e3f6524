import type { CredentialKind } from '../credentials/format.js';
import type { Plan, RateLimitPolicy } from './outcome.js';
import type { Role } from './scopes.js';

/** Everything verification needs about a credential, loaded in one query. */
export interface CredentialRecord {
  id: string;
  kind: CredentialKind;
  publicId: string;
  companyId: string;
  plan: Plan;
  companyOwnerId: string | null;
  companyRateLimit: RateLimitPolicy | null;
  ownerUserId: string | null;
  /** Current role of the PAT's owner; `null` when the owner no longer exists. */
  ownerRole: Role | null;
  scopes: readonly string[] | null;
  expiresAt: Date | null;
  state: 'active' | 'deactivated' | 'revoked';
  replaced: boolean;
  ipAllowlist: readonly string[] | null;
  rateLimit: RateLimitPolicy | null;
  limitedUsage: boolean;
}

/**
 * The port verification reads through. The store implements it with one indexed query per
 * method; tests and hosts may provide their own.
 */
export interface CredentialSource {
  findByHash(hash: string): Promise<CredentialRecord | null>;
  /** The user's role if `userId` is a member of `companyId`, else `null`. */
  findMembership(companyId: string, userId: string): Promise<Role | null>;
}
