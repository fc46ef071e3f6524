import { loadConfig } from '../../config.js';
import { findUser, ownerOf, withWarden } from '../context.js';
import { CliError, expectOk } from '../errors.js';
import { emit, emitJson, info } from '../output.js';
import type { UserRef } from '../parsers.js';

export interface UserInviteOptions {
  company: string;
  email?: string;
  user?: UserRef;
  baseUrl?: string;
  json?: boolean;
}

/** Where the dashboard is served when `--base-url` is not given: this configuration's server. */
function defaultBaseUrl(): string {
  const { HOST, PORT } = loadConfig();
  const host = HOST === '0.0.0.0' || HOST === '::' ? 'localhost' : HOST.includes(':') ? `[${HOST}]` : HOST;
  return `http://${host}:${PORT}`;
}

/**
 * `user invite`: a one-time link (7 days) with which a user of the company sets their dashboard
 * password, created with the owner's rights. The link (which carries the token) is printed once.
 */
export async function userInvite(options: UserInviteOptions): Promise<void> {
  const ref: UserRef | undefined = options.email !== undefined ? { email: options.email } : options.user;
  if (!ref || (options.email !== undefined && options.user !== undefined))
    throw new CliError('Name the user with exactly one of --email or --user');
  const base = (options.baseUrl ?? defaultBaseUrl()).replace(/\/+$/, '');
  const { user, invitation } = await withWarden(async (warden) => {
    const { caller } = await ownerOf(warden, options.company);
    const user = await findUser(warden, ref);
    const invitation = expectOk(await warden.invitations.create(caller, user.id), {
      not_found: `${user.email} is not a user of company ${options.company}`,
      conflict: `${user.email} has already set a password`,
    });
    return { user, invitation };
  });
  const url = `${base}/#/invite/${invitation.token}`;
  const expiresAt = invitation.expiresAt.toISOString();
  if (options.json) {
    emitJson({ userId: user.id, email: user.email, token: invitation.token, url, expiresAt });
    return;
  }
  info(
    `Invited ${user.email} to set a dashboard password (expires ${expiresAt}; any earlier invitation no longer works).`,
    'Send them this link; it works once and is not stored, so it will not be shown again:',
  );
  emit(url);
}
