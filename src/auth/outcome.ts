import type { CredentialKind } from '../credentials/format.js';
import type { ErrorCode } from '../errors.js';
import type { Role } from './scopes.js';
import type { UsageMeter } from './usage-meter.js';

/** A company's plan: PATs need `essentials` or above, Platform API keys need `enterprise`. */
export type Plan = 'free' | 'essentials' | 'enterprise';

export interface RateLimitPolicy {
  limit: number;
  windowSeconds: number;
}

/** Who a request acts as, and through which credential. */
export interface Principal {
  companyId: string;
  plan: Plan;
  /** The acting user: the PAT's owner, the user named by the acting-user header, or the session's user. */
  userId: string;
  role: Role;
  via: 'pat' | 'api_key' | 'session';
  /** `null` for dashboard sessions. */
  credential: {
    id: string;
    kind: CredentialKind;
    publicId: string;
    /** `null` = the default access of the acting user. */
    scopes: readonly string[] | null;
    expiresAt: Date | null;
    /** Effective per-credential rate limit (key override, else the company default). */
    rateLimit: RateLimitPolicy | null;
    /** Whether the credential has a usage limit (remaining requests). */
    limitedUsage: boolean;
    /** Where this credential's requests are counted: pass it to `warden.usage.count`. */
    usage: UsageMeter;
  } | null;
}

/** Every way a verification can end. Expected outcomes are values, never exceptions. */
export type VerifyOutcome =
  | { kind: 'valid'; principal: Principal }
  | { kind: 'missing' }
  | { kind: 'invalid'; reason: 'scheme' | 'malformed' | 'unknown' | 'revoked' | 'rolled' | 'owner_gone' }
  | { kind: 'expired'; credentialId: string }
  | { kind: 'deactivated'; credentialId: string }
  | { kind: 'impersonation_forbidden'; credentialId: string }
  | { kind: 'acting_user_required'; credentialId: string }
  | { kind: 'acting_user_not_in_company'; credentialId: string }
  | { kind: 'plan_required'; credentialId: string }
  | { kind: 'ip_not_allowed'; credentialId: string };

export type FailedOutcome = Exclude<VerifyOutcome, { kind: 'valid' }>;

/** The one mapping from verification outcomes to documented error codes. */
export const OUTCOME_ERROR: Record<FailedOutcome['kind'], ErrorCode> = {
  missing: 'missing_authorization',
  invalid: 'invalid_credential',
  expired: 'credential_expired',
  deactivated: 'credential_deactivated',
  impersonation_forbidden: 'impersonation_forbidden',
  acting_user_required: 'acting_user_required',
  acting_user_not_in_company: 'acting_user_not_in_company',
  plan_required: 'plan_required',
  ip_not_allowed: 'ip_not_allowed',
};

export const PLAN_RANK: Record<Plan, number> = { free: 0, essentials: 1, enterprise: 2 };

/** The lowest plan that allows each credential kind. */
export const PLAN_FOR_KIND: Record<CredentialKind, Plan> = { pat: 'essentials', api_key: 'enterprise' };

export function planAllows(plan: Plan, kind: CredentialKind): boolean {
  return PLAN_RANK[plan] >= PLAN_RANK[PLAN_FOR_KIND[kind]];
}
