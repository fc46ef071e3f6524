import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BASE62_ALPHABET } from './base62.js';
import { CRC32_START, crc32Continue } from './checksum.js';
import { createFormats, SECRET_BITS } from './format.js';
import { hashCredential } from './hash.js';

const formats = createFormats();
const kinds = fc.constantFrom('pat' as const, 'api_key' as const);
// Characters a typo or a tamperer could put in: base62, separators, and a few others.
const replacement = fc.constantFrom(...`${BASE62_ALPHABET}-_:. +/=•é`.split(''));

describe('credential formats', () => {
  it('generates the documented shapes with at least 160 bits of secret', () => {
    expect(SECRET_BITS).toBeGreaterThanOrEqual(160);
    const pat = formats.generate('pat');
    const key = formats.generate('api_key');
    expect(pat.token).toMatch(new RegExp(`^${formats.patterns.pat}$`));
    expect(key.token).toMatch(new RegExp(`^${formats.patterns.api_key}$`));
    expect(pat.token.startsWith('rgo-')).toBe(true);
    expect(key.token.startsWith(`ak_live:${key.publicId}:`)).toBe(true);
    expect(pat.hash).toBe(hashCredential(pat.token));
    expect(pat.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('round-trips: every generated credential parses back to its kind and public id', () => {
    fc.assert(
      fc.property(kinds, (kind) => {
        const generated = formats.generate(kind);
        expect(formats.parse(generated.token)).toEqual({ kind, publicId: generated.publicId });
      }),
      { numRuns: 500 },
    );
  });

  it('rejects any single-character change', () => {
    fc.assert(
      fc.property(kinds, fc.nat(), replacement, (kind, at, char) => {
        const { token } = formats.generate(kind);
        const index = at % token.length;
        fc.pre(token[index] !== char);
        const mutated = token.slice(0, index) + char + token.slice(index + 1);
        expect(formats.parse(mutated)).toBeNull();
      }),
      { numRuns: 5000 },
    );
  });

  it('rejects deletions, insertions and truncations', () => {
    fc.assert(
      fc.property(kinds, fc.nat(), replacement, (kind, at, char) => {
        const { token } = formats.generate(kind);
        const index = at % token.length;
        expect(formats.parse(token.slice(0, index) + token.slice(index + 1))).toBeNull();
        expect(formats.parse(token.slice(0, index) + char + token.slice(index))).toBeNull();
        expect(formats.parse(token.slice(0, index))).toBeNull();
      }),
      { numRuns: 2000 },
    );
  });

  it('masked values contain none of the secret characters', () => {
    fc.assert(
      fc.property(kinds, (kind) => {
        const generated = formats.generate(kind);
        const publicPart = kind === 'pat' ? `rgo-${generated.publicId}` : `ak_live:${generated.publicId}:`;
        expect(generated.masked.startsWith(publicPart)).toBe(true);
        // What follows the public part is only the mask.
        expect(generated.masked.slice(publicPart.length)).toMatch(/^•+$/);
        expect(generated.token.startsWith(publicPart)).toBe(true);
        expect(generated.masked).toBe(formats.mask(kind, generated.publicId));
      }),
      { numRuns: 500 },
    );
  });

  it('never accepts arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (text) => {
        expect(formats.parse(text)).toBeNull();
        expect(formats.parse(`rgo-${text}`)).toBeNull();
      }),
      { numRuns: 3000 },
    );
  });

  it('supports custom prefixes and refuses unsafe ones', () => {
    const custom = createFormats({ patPrefix: 'acme_pat-', apiKeyPrefix: 'acme_live' });
    const pat = custom.generate('pat');
    expect(pat.token.startsWith('acme_pat-')).toBe(true);
    expect(custom.parse(pat.token)?.kind).toBe('pat');
    expect(formats.parse(pat.token)).toBeNull();
    expect(() => createFormats({ patPrefix: 'no:colon-' })).toThrow();
    expect(() => createFormats({ apiKeyPrefix: 'a:b' })).toThrow();
  });

  it('draws secrets uniformly enough that no character dominates', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      for (const char of formats.generate('api_key').token.slice(-36, -6))
        counts.set(char, (counts.get(char) ?? 0) + 1);
    }
    expect(counts.size).toBe(62);
    const expected = (2000 * 30) / 62;
    for (const count of counts.values()) expect(Math.abs(count - expected) / expected).toBeLessThan(0.2);
  });

  it('computes the same CRC32 as zlib over ASCII, from any split point', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 200 }), fc.nat(), (text, at) => {
        const split = text.length === 0 ? 0 : at % text.length;
        const state = crc32Continue(crc32Continue(CRC32_START, text, 0, split), text, split, text.length);
        expect((state ^ -1) >>> 0).toBe(crc32(text));
      }),
      { numRuns: 1000 },
    );
  });

  it('check() agrees with parse() on valid, mutated and random input', () => {
    fc.assert(
      fc.property(kinds, fc.nat(), replacement, fc.string(), (kind, at, char, noise) => {
        const { token } = formats.generate(kind);
        const index = at % token.length;
        const mutated = token.slice(0, index) + char + token.slice(index + 1);
        for (const input of [token, mutated, noise, `${formats.patPrefix}${noise}`]) {
          expect(formats.check(input)).toBe(formats.parse(input)?.kind ?? null);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
