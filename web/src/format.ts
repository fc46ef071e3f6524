import type { Credential, User } from './api-types';

const DAY_MS = 86_400_000;

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

export function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateOnly.format(date);
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * DAY_MS],
  ['month', 30 * DAY_MS],
  ['week', 7 * DAY_MS],
  ['day', DAY_MS],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "3 minutes ago", "yesterday", "just now". */
export function formatRelative(iso: string, now: number = Date.now()): string {
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return iso;
  const diff = then - now;
  if (Math.abs(diff) < 45_000) return 'just now';
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms || unit === 'minute') return relative.format(Math.round(diff / ms), unit);
  }
  return iso;
}

/** The name used for a credential in messages and accessible labels (API key names are optional). */
export function credentialLabel(credential: Credential): string {
  return credential.name.trim() || credential.maskedValue;
}

/**
 * The credential as named by row actions. After a roll the old and the new credential share a
 * name; the old one is "previous my-token", so "Revoke my-token" always means the current one.
 */
export function rowLabel(credential: Credential): string {
  const label = credentialLabel(credential);
  return credential.replacedById ? `previous ${label}` : label;
}

export function userName(user: User): string {
  const name = `${user.givenName ?? ''} ${user.familyName ?? ''}`.trim();
  return name || user.email;
}

export type ExpiryWarning = 'never' | 'soon' | null;

/** Flags credentials that never expire, and live ones that expire within seven days. */
export function expiryWarning(credential: Credential, now: number = Date.now()): ExpiryWarning {
  if (credential.status === 'revoked') return null;
  if (credential.expiresAt === null) return 'never';
  const remaining = new Date(credential.expiresAt).getTime() - now;
  if (remaining > 0 && remaining <= 7 * DAY_MS) return 'soon';
  return null;
}

export const STATUS_LABEL: Record<Credential['status'], string> = {
  active: 'Active',
  expired: 'Expired',
  deactivated: 'Deactivated',
  revoked: 'Revoked',
};

export const ROLE_LABEL: Record<User['role'], string> = {
  owner: 'Owner',
  admin: 'Admin',
  member: 'Member',
};

export function isAdmin(user: User): boolean {
  return user.role === 'owner' || user.role === 'admin';
}
