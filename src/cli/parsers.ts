import { InvalidArgumentError } from 'commander';
import { isScope, SCOPES } from '../auth/scopes.js';
import { PAT_EXPIRY_PRESETS, type PatExpiryPreset } from '../credentials/expiry.js';
import { isUuid } from '../ids.js';

// Argument parsers for commander: a bad value stops the command before the database is opened,
// with commander's one-line "option '…' argument '…' is invalid. <reason>".

export function parseUuid(value: string): string {
  if (!isUuid(value)) throw new InvalidArgumentError('Expected a UUID.');
  return value.toLowerCase();
}

/** A user named by id or by email. */
export type UserRef = { id: string } | { email: string };

export function parseUserRef(value: string): UserRef {
  if (value.includes('@')) return { email: value };
  if (isUuid(value)) return { id: value.toLowerCase() };
  throw new InvalidArgumentError('Expected a user id (UUID) or an email address.');
}

/** Comma-separated scopes, each one known. */
export function parseScopes(value: string): string[] {
  const scopes = value
    .split(',')
    .map((scope) => scope.trim())
    .filter((scope) => scope.length > 0);
  if (scopes.length === 0) throw new InvalidArgumentError('Expected at least one scope.');
  const unknown = scopes.filter((scope) => !isScope(scope));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(
      `Unknown scope ${unknown.join(', ')}; known scopes: ${Object.keys(SCOPES).join(', ')}.`,
    );
  }
  return scopes;
}

export function parseDays(value: string): number {
  const days = /^\d{1,3}$/.test(value) ? Number(value) : Number.NaN;
  if (!(days >= 1 && days <= 90))
    throw new InvalidArgumentError('Must be a whole number of days from 1 to 90.');
  return days;
}

/** A PAT expiry: a preset, or a future date. */
export type PatExpiry = { expiresIn: PatExpiryPreset } | { expiresAt: string };

export function parsePatExpiry(value: string): PatExpiry {
  const preset = PAT_EXPIRY_PRESETS.find((candidate) => candidate === value);
  if (preset) return { expiresIn: preset };
  // Only ISO-looking dates: Date.parse would also accept "March 7" and guess a year.
  const at = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? new Date(value) : null;
  if (!at || Number.isNaN(at.getTime())) {
    throw new InvalidArgumentError(`Expected ${PAT_EXPIRY_PRESETS.join(', ')} or an ISO date (2030-01-31).`);
  }
  if (at.getTime() <= Date.now()) throw new InvalidArgumentError('The date must be in the future.');
  return { expiresAt: at.toISOString() };
}

/** An http(s) origin such as `https://keys.example.com` (a trailing path is kept as given). */
export function parseBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('Expected a URL such as https://keys.example.com.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidArgumentError('Expected an http or https URL.');
  return value.replace(/\/+$/, '');
}
