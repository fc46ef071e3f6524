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

/** Constant-time equality of two strings of secret material. */
export function secretsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
