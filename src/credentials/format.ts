import { randomUUID } from 'node:crypto';
import { BITS_PER_BASE62_CHAR, randomBase62 } from './base62.js';
import { CHECKSUM_LENGTH, CRC32_START, checksumOf, crc32Continue, hasValidBase62Tail } from './checksum.js';
import { hashCredential } from './hash.js';

/** The two kinds of credential Keywarden issues. */
export type CredentialKind = 'pat' | 'api_key';

/** Characters of public identifier at the start of a PAT body (shown in lists, not secret). */
export const PAT_PUBLIC_ID_LENGTH = 12;
/** Random base62 characters of secret in both kinds: 30 × 5.954 ≈ 178 bits (≥ 160 required). */
export const SECRET_LENGTH = 30;
/** Bits of randomness in the secret part of every credential. */
export const SECRET_BITS = Math.floor(SECRET_LENGTH * BITS_PER_BASE62_CHAR);

const UUID_LENGTH = 36;
/** Checksum tags (see `CredentialFormats.checksumTag`) are below `CHECKSUM_TAG_MASK + 1`. */
export const CHECKSUM_TAG_MASK = 0xfffff;
const MASK = '••••••••';

export interface FormatOptions {
  /** Prefix of Personal Access Tokens. Default `rgo-`. */
  patPrefix?: string;
  /** Prefix of Platform API keys, before the first `:`. Default `ak_live`. */
  apiKeyPrefix?: string;
}

/** What can be read from a well-formed credential without any lookup. */
export interface ParsedCredential {
  kind: CredentialKind;
  /** Non-secret identifier: the PAT's leading characters or the API key's UUID. */
  publicId: string;
}

/** A freshly generated credential: the secret `token` exists only in this value. */
export interface GeneratedCredential extends ParsedCredential {
  token: string;
  /** SHA-256 (hex) of the whole token: the only thing that is stored. */
  hash: string;
  /** Public part followed by a mask; reveals no secret bits. */
  masked: string;
}

/** Generates, parses and masks credentials for one pair of prefixes. */
export interface CredentialFormats {
  readonly patPrefix: string;
  readonly apiKeyPrefix: string;
  /** The length of every well-formed PAT, and of every well-formed API key. */
  readonly lengths: Readonly<Record<CredentialKind, number>>;
  generate(kind: CredentialKind): GeneratedCredential;
  /** `null` for anything malformed, including a wrong checksum. Pure and allocation-light. */
  parse(token: string): ParsedCredential | null;
  /** The kind of a well-formed credential, else `null`: `parse` without allocating anything. */
  check(token: string): CredentialKind | null;
  /** Length and prefix only (O(1)): `false` means malformed; `true` still needs {@link check}. */
  hasShape(token: string): boolean;
  /**
   * A 20-bit tag of the checksum a token claims (from its last characters, unverified): a cheap
   * number by which tokens seen before can be recognised.
   */
  checksumTag(token: string): number;
  mask(kind: CredentialKind, publicId: string): string;
  /** Regular expressions for secret scanners, as source strings (anchored with `\b`). */
  readonly patterns: Readonly<Record<CredentialKind, string>>;
}

const PAT_PREFIX_RE = /^[A-Za-z][A-Za-z0-9_]{0,15}[-_]$/;
const API_KEY_PREFIX_RE = /^[A-Za-z][A-Za-z0-9_]{0,15}$/;

function isLowerHexUuid(text: string, start: number): boolean {
  for (let i = 0; i < UUID_LENGTH; i++) {
    const code = text.charCodeAt(start + i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (code !== 45) return false;
    } else if (!((code >= 48 && code <= 57) || (code >= 97 && code <= 102))) {
      return false;
    }
  }
  return true;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}

/**
 * Builds the credential formats for the given prefixes.
 *
 * PAT: `<patPrefix><publicId:12><secret:30><crc32:6>` (base62 body).
 * API key: `<apiKeyPrefix>:<uuid>:<secret:30><crc32:6>`.
 * The CRC32 covers everything before it, so any single-character typo is caught before any I/O.
 *
 * @example
 * const formats = createFormats();
 * const { token, hash } = formats.generate('pat'); // token: 'rgo-…', shown once; store `hash`
 * formats.parse(token); // { kind: 'pat', publicId: '…' }
 * formats.parse(token.replace(/.$/, '0')); // null (checksum) — unless the last char was '0'
 */
export function createFormats(options: FormatOptions = {}): CredentialFormats {
  const patPrefix = options.patPrefix ?? 'rgo-';
  const apiKeyPrefix = options.apiKeyPrefix ?? 'ak_live';
  if (!PAT_PREFIX_RE.test(patPrefix)) throw new Error(`Invalid PAT prefix: ${patPrefix}`);
  if (!API_KEY_PREFIX_RE.test(apiKeyPrefix)) throw new Error(`Invalid API key prefix: ${apiKeyPrefix}`);

  const patLength = patPrefix.length + PAT_PUBLIC_ID_LENGTH + SECRET_LENGTH + CHECKSUM_LENGTH;
  const apiHead = `${apiKeyPrefix}:`;
  const apiLength = apiHead.length + UUID_LENGTH + 1 + SECRET_LENGTH + CHECKSUM_LENGTH;

  function mask(kind: CredentialKind, publicId: string): string {
    return kind === 'pat' ? `${patPrefix}${publicId}${MASK}` : `${apiHead}${publicId}:${MASK}`;
  }

  function generate(kind: CredentialKind): GeneratedCredential {
    const publicId = kind === 'pat' ? randomBase62(PAT_PUBLIC_ID_LENGTH) : randomUUID();
    const payload =
      kind === 'pat'
        ? `${patPrefix}${publicId}${randomBase62(SECRET_LENGTH)}`
        : `${apiHead}${publicId}:${randomBase62(SECRET_LENGTH)}`;
    const token = payload + checksumOf(payload);
    return { kind, publicId, token, hash: hashCredential(token), masked: mask(kind, publicId) };
  }

  // CRC32 states after the fixed prefixes, so a check only scans the variable part once.
  const patPrefixState = crc32Continue(CRC32_START, patPrefix, 0, patPrefix.length);
  const apiHeadState = crc32Continue(CRC32_START, apiHead, 0, apiHead.length);
  const apiIdStart = apiHead.length;
  const apiSecretStart = apiIdStart + UUID_LENGTH + 1;

  function hasShape(token: string): boolean {
    return (
      (token.length === patLength && token.startsWith(patPrefix)) ||
      (token.length === apiLength && token.startsWith(apiHead))
    );
  }

  function check(token: string): CredentialKind | null {
    if (token.length === patLength && token.startsWith(patPrefix)) {
      return hasValidBase62Tail(token, patPrefix.length, patPrefixState) ? 'pat' : null;
    }
    if (token.length === apiLength && token.startsWith(apiHead)) {
      if (token.charCodeAt(apiSecretStart - 1) !== 58 /* : */ || !isLowerHexUuid(token, apiIdStart))
        return null;
      const state = crc32Continue(apiHeadState, token, apiIdStart, apiSecretStart);
      return hasValidBase62Tail(token, apiSecretStart, state) ? 'api_key' : null;
    }
    return null;
  }

  function parse(token: string): ParsedCredential | null {
    const kind = check(token);
    if (kind === null) return null;
    const start = kind === 'pat' ? patPrefix.length : apiIdStart;
    return {
      kind,
      publicId: token.slice(start, start + (kind === 'pat' ? PAT_PUBLIC_ID_LENGTH : UUID_LENGTH)),
    };
  }

  const hex = '[0-9a-f]';
  const patterns = {
    pat: `\\b${escapeRegExp(patPrefix)}[0-9A-Za-z]{${PAT_PUBLIC_ID_LENGTH + SECRET_LENGTH + CHECKSUM_LENGTH}}\\b`,
    api_key: `\\b${escapeRegExp(apiKeyPrefix)}:${hex}{8}-${hex}{4}-${hex}{4}-${hex}{4}-${hex}{12}:[0-9A-Za-z]{${SECRET_LENGTH + CHECKSUM_LENGTH}}\\b`,
  } as const;

  function checksumTag(token: string): number {
    // The low six bits of a base62 character's code tell the 62 characters apart; four of them
    // make 24 bits, folded to 20. A collision only costs a skipped shortcut.
    const end = token.length;
    const bits =
      ((token.charCodeAt(end - 1) & 63) << 18) |
      ((token.charCodeAt(end - 2) & 63) << 12) |
      ((token.charCodeAt(end - 3) & 63) << 6) |
      (token.charCodeAt(end - 4) & 63);
    return (bits ^ (bits >>> 20)) & CHECKSUM_TAG_MASK;
  }

  return {
    patPrefix,
    apiKeyPrefix,
    lengths: { pat: patLength, api_key: apiLength },
    generate,
    parse,
    check,
    hasShape,
    checksumTag,
    mask,
    patterns,
  };
}
