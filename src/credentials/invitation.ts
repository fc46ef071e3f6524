import { BITS_PER_BASE62_CHAR, isBase62, randomBase62 } from './base62.js';
import { hashCredential } from './hash.js';

/** Prefix of invitation tokens, so that one pasted in the wrong place is recognizable. */
export const INVITATION_PREFIX = 'kwi_';
/** Random base62 characters after the prefix: 32 × 5.954 ≈ 190 bits (≥ 160 required). */
export const INVITATION_SECRET_LENGTH = 32;
/** Bits of randomness in an invitation token. */
export const INVITATION_BITS = Math.floor(INVITATION_SECRET_LENGTH * BITS_PER_BASE62_CHAR);
/** How long an invitation can be accepted. */
export const INVITATION_TTL_MS = 7 * 24 * 3_600_000;

const TOKEN_LENGTH = INVITATION_PREFIX.length + INVITATION_SECRET_LENGTH;

/**
 * A fresh one-time invitation token and the SHA-256 (hex) that is stored in its place.
 *
 * @example
 * const { token, hash } = generateInvitationToken();
 * // token: 'kwi_' + 32 base62 characters, shown once; hash: what the database keeps
 */
export function generateInvitationToken(): { token: string; hash: string } {
  const token = INVITATION_PREFIX + randomBase62(INVITATION_SECRET_LENGTH);
  return { token, hash: hashCredential(token) };
}

/** Prefix, length and alphabet only: `false` means no lookup is worth doing. */
export function isInvitationToken(token: string): boolean {
  return (
    token.length === TOKEN_LENGTH &&
    token.startsWith(INVITATION_PREFIX) &&
    isBase62(token, INVITATION_PREFIX.length, TOKEN_LENGTH)
  );
}
