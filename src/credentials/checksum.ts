import { crc32 } from 'node:zlib';
import { decodeBase62, encodeBase62Fixed } from './base62.js';

/** Width of the base62-encoded CRC32 (62^6 ≈ 5.7e10 > 2^32). */
export const CHECKSUM_LENGTH = 6;

/** The CRC32 of `payload`, as {@link CHECKSUM_LENGTH} base62 characters. */
export function checksumOf(payload: string): string {
  return encodeBase62Fixed(crc32(payload), CHECKSUM_LENGTH);
}

/**
 * True when the last {@link CHECKSUM_LENGTH} characters of `text` are the CRC32 of everything
 * before them. CRC32 catches every single-character change (any burst shorter than 32 bits),
 * so a mistyped credential is refused without a database lookup.
 */
export function hasValidChecksum(text: string): boolean {
  const split = text.length - CHECKSUM_LENGTH;
  if (split <= 0) return false;
  const claimed = decodeBase62(text, split, text.length);
  return claimed >= 0 && claimed === crc32(text.slice(0, split));
}

// The verification hot path checks the alphabet and the CRC32 in one pass over the characters,
// with no string copy and no native call: the same CRC32 (IEEE, reflected) as zlib's, over the
// characters' codes, which equal the UTF-8 bytes because only ASCII ever reaches it.
const CRC_TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  CRC_TABLE[n] = c;
}
const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < 62; i++) {
  DIGIT['0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'.charCodeAt(i)] = i;
}

/** The running CRC32 state before any input. */
export const CRC32_START = -1;

/** Continues a CRC32 state over the (ASCII) characters of `text` from `start` to `end`. */
export function crc32Continue(state: number, text: string, start: number, end: number): number {
  let crc = state;
  for (let i = start; i < end; i++) crc = (CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff] ?? 0) ^ (crc >>> 8);
  return crc;
}

/**
 * True when `text[start…]` is base62 and ends in the checksum of all of `text` before it, given
 * `state`, the CRC32 state after `text[0…start)` (see {@link crc32Continue}).
 */
export function hasValidBase62Tail(text: string, start: number, state: number): boolean {
  const split = text.length - CHECKSUM_LENGTH;
  if (split < start) return false;
  let crc = state;
  for (let i = start; i < split; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128 || (DIGIT[code] ?? -1) < 0) return false;
    crc = (CRC_TABLE[(crc ^ code) & 0xff] ?? 0) ^ (crc >>> 8);
  }
  const claimed = decodeBase62(text, split, text.length);
  return claimed >= 0 && claimed === (crc ^ -1) >>> 0;
}
