/** Expiry presets offered for Personal Access Tokens. */
export const PAT_EXPIRY_PRESETS = ['30d', '90d', '6m', '1y', 'never'] as const;
export type PatExpiryPreset = (typeof PAT_EXPIRY_PRESETS)[number];

const DAY_MS = 86_400_000;

/** The expiry instant for a preset counted from `now`; `null` for `never`. Months are calendar months. */
export function expiryFromPreset(preset: PatExpiryPreset, now: Date): Date | null {
  const at = new Date(now.getTime());
  switch (preset) {
    case '30d':
      return new Date(now.getTime() + 30 * DAY_MS);
    case '90d':
      return new Date(now.getTime() + 90 * DAY_MS);
    case '6m':
      at.setUTCMonth(at.getUTCMonth() + 6);
      return at;
    case '1y':
      at.setUTCFullYear(at.getUTCFullYear() + 1);
      return at;
    case 'never':
      return null;
  }
}

/** `now + days`, to the millisecond. */
export function addDays(now: Date, days: number): Date {
  return new Date(now.getTime() + days * DAY_MS);
}

/** Compares the full timestamp: a credential is expired from its expiry instant on. */
export function isExpired(expiresAt: Date | number | null, now: number): boolean {
  if (expiresAt === null) return false;
  return now >= (typeof expiresAt === 'number' ? expiresAt : expiresAt.getTime());
}

/** The list label: `Expires in N days`, `Expired` or `Never`. Partial days round up. */
export function expiryLabel(expiresAt: Date | null, now: Date): string {
  if (expiresAt === null) return 'Never';
  const remaining = expiresAt.getTime() - now.getTime();
  if (remaining <= 0) return 'Expired';
  const days = Math.ceil(remaining / DAY_MS);
  return days === 1 ? 'Expires in 1 day' : `Expires in ${days} days`;
}
