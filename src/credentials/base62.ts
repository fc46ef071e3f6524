import { randomBytes } from 'node:crypto';

/** The base62 alphabet, in ASCII order so encoded numbers sort like their values. */
export const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

// 248 = 4 × 62: bytes at or above it are rejected so every character is equally likely.
const UNBIASED_LIMIT = 248;

/** Bits of entropy carried by one uniformly random base62 character (log2 62 ≈ 5.954). */
export const BITS_PER_BASE62_CHAR = Math.log2(62);

const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE62_ALPHABET.length; i++) DECODE[BASE62_ALPHABET.charCodeAt(i)] = i;

/**
 * Returns `length` uniformly random base62 characters drawn from the system CSPRNG, using
 * rejection sampling (no modulo bias).
 */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    const bytes = randomBytes(Math.ceil((length - out.length) * 1.1) + 4);
    for (const byte of bytes) {
      if (byte >= UNBIASED_LIMIT) continue;
      out += BASE62_ALPHABET.charAt(byte % 62);
      if (out.length === length) break;
    }
  }
  return out;
}

/** Encodes a non-negative integer as exactly `width` base62 characters (left-padded with `0`). */
export function encodeBase62Fixed(value: number, width: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < width; i++) {
    out = BASE62_ALPHABET.charAt(rest % 62) + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

/** Decodes base62 characters of `text` from `start` to `end`; -1 if any character is not base62. */
export function decodeBase62(text: string, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    const digit = code < 128 ? (DECODE[code] ?? -1) : -1;
    if (digit < 0) return -1;
    value = value * 62 + digit;
  }
  return value;
}

/** True when every character of `text` between `start` and `end` is in the base62 alphabet. */
export function isBase62(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128 || (DECODE[code] ?? -1) < 0) return false;
  }
  return true;
}
