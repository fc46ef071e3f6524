import { hash, timingSafeEqual } from 'node:crypto';

/**
 * SHA-256 of a credential, hex encoded: the only form in which a credential is stored.
 * Credentials carry ≥ 160 random bits, so a fast hash is the right tool (NIST SP 800-63B
 * §5.1.2.2 asks for a slow KDF only for low-entropy, user-chosen secrets).
 */
export function hashCredential(token: string): string {
  // One-shot `crypto.hash` (Node ≥ 20.12) is about twice as fast as a `Hash` object for short input.
  return hash('sha256', token, 'hex');
}

/**
 * The same SHA-256 as {@link hashCredential}, as a 32-character binary (latin1) string: the key
 * of in-memory caches. Half the length of hex, so it is cheaper to build and to hash as a map key
 * on every warm verification; {@link digestToHex} turns it into the stored form on a cache miss.
 */
export function credentialDigest(token: string): string {
  return hash('sha256', token, 'binary');
}

/** The hex form (as stored) of a {@link credentialDigest}. */
export function digestToHex(digest: string): string {
  return Buffer.from(digest, 'latin1').toString('hex');
}

/** Constant-time equality of two strings of secret material. */
export function secretsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
