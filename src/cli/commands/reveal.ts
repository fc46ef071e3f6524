import type { IssuedCredential } from '../../warden/credentials-service.js';
import { emit, emitJson, info } from '../output.js';

/**
 * Shows a new secret exactly once: the token alone on stdout (so `$(…)` or a pipe captures just
 * it), everything a person needs to know about it on stderr. `--json` prints the whole result.
 */
export function revealIssued(issued: IssuedCredential, headline: string, json: boolean | undefined): void {
  if (json) {
    emitJson(issued);
    return;
  }
  const { credential } = issued;
  const expires = credential.expiresAt ? `${credential.expiresLabel} (${credential.expiresAt})` : 'Never';
  info(
    headline,
    `  id:      ${credential.id}`,
    `  shown:   ${credential.maskedValue}`,
    `  expires: ${expires}`,
    `  scopes:  ${credential.scopes?.join(', ') ?? 'default (full access of the acting user, no credentials:manage)'}`,
  );
  if (issued.warning) info(`Warning: ${issued.warning}`);
  info('Copy the secret now; it is not stored and will not be shown again:');
  emit(issued.token);
}
