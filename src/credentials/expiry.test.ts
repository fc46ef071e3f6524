import { describe, expect, it } from 'vitest';
import { expiryFromPreset, expiryLabel, isExpired } from './expiry.js';

const now = new Date('2026-01-31T12:00:00.000Z');

describe('expiry', () => {
  it('computes presets from the full timestamp, months as calendar months', () => {
    expect(expiryFromPreset('30d', now)?.toISOString()).toBe('2026-03-02T12:00:00.000Z');
    expect(expiryFromPreset('90d', now)?.toISOString()).toBe('2026-05-01T12:00:00.000Z');
    expect(expiryFromPreset('6m', now)?.toISOString()).toBe('2026-07-31T12:00:00.000Z');
    expect(expiryFromPreset('1y', now)?.toISOString()).toBe('2027-01-31T12:00:00.000Z');
    expect(expiryFromPreset('never', now)).toBeNull();
  });

  it('expires at the exact instant, not at day granularity', () => {
    const at = new Date(now.getTime() + 1000);
    expect(isExpired(at, now.getTime() + 999)).toBe(false);
    expect(isExpired(at, now.getTime() + 1000)).toBe(true);
    expect(isExpired(null, Number.MAX_SAFE_INTEGER)).toBe(false);
  });

  it('labels lists', () => {
    expect(expiryLabel(null, now)).toBe('Never');
    expect(expiryLabel(new Date(now.getTime() - 1), now)).toBe('Expired');
    expect(expiryLabel(new Date(now.getTime() + 3_600_000), now)).toBe('Expires in 1 day');
    expect(expiryLabel(new Date(now.getTime() + 30 * 86_400_000), now)).toBe('Expires in 30 days');
    expect(expiryLabel(new Date(now.getTime() + 29.5 * 86_400_000), now)).toBe('Expires in 30 days');
  });
});
