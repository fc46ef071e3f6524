import type { RateLimitPolicy } from '../auth/outcome.js';
import { expiryLabel } from '../credentials/expiry.js';
import type { CredentialFormats, CredentialKind } from '../credentials/format.js';
import type { CredentialRow } from '../store/schema.js';

export type CredentialStatus = 'active' | 'expired' | 'deactivated' | 'revoked';

/** A credential as shown in lists and API responses: never the secret, never its hash. */
export interface CredentialView {
  id: string;
  kind: CredentialKind;
  name: string;
  maskedValue: string;
  scopes: string[] | null;
  status: CredentialStatus;
  createdAt: string;
  createdBy: string | null;
  expiresAt: string | null;
  expiresLabel: string;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
  ownerUserId: string | null;
  replacedById: string | null;
  rolledAt: string | null;
  ipAllowlist: string[] | null;
  rateLimit: RateLimitPolicy | null;
  usageLimit: {
    remaining: number;
    refillAmount: number | null;
    refillInterval: 'day' | 'month' | null;
  } | null;
}

/** Status in lists: revoked and deactivated are states; expired is read from the clock. */
export function statusOf(row: CredentialRow, now: Date): CredentialStatus {
  if (row.state === 'revoked') return 'revoked';
  if (row.expiresAt !== null && now.getTime() >= row.expiresAt.getTime()) return 'expired';
  return row.state;
}

export function toView(row: CredentialRow, formats: CredentialFormats, now: Date): CredentialView {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    maskedValue: formats.mask(row.kind, row.publicId),
    scopes: row.scopes,
    status: statusOf(row, now),
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    expiresLabel: expiryLabel(row.expiresAt, now),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    lastUsedIp: row.lastUsedIp,
    ownerUserId: row.ownerUserId,
    replacedById: row.replacedById,
    rolledAt: row.rolledAt?.toISOString() ?? null,
    ipAllowlist: row.ipAllowlist,
    rateLimit: row.rateLimit,
    usageLimit:
      row.usageRemaining === null
        ? null
        : {
            remaining: row.usageRemaining,
            refillAmount: row.usageRefillAmount,
            refillInterval: row.usageRefillInterval,
          },
  };
}
