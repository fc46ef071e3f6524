import { callerFor, findUser, withWarden } from '../context.js';
import { expectOk } from '../errors.js';
import type { PatExpiry, UserRef } from '../parsers.js';
import { revealIssued } from './reveal.js';

export interface PatCreateOptions {
  user: UserRef;
  name: string;
  expires?: PatExpiry;
  scopes?: string[];
  json?: boolean;
}

/** `pat create`: a Personal Access Token of a user, issued as that user (it acts as them). */
export async function patCreate(options: PatCreateOptions): Promise<void> {
  const { user, issued } = await withWarden(async (warden) => {
    const user = await findUser(warden, options.user);
    const result = await warden.credentials.createPat(callerFor(user), {
      name: options.name,
      ...(options.expires ?? { expiresIn: '30d' }),
      scopes: options.scopes ?? null,
    });
    return {
      user,
      issued: expectOk(result, {
        name_taken: `${user.email} already has a live token named "${options.name}"`,
      }),
    };
  });
  revealIssued(issued, `Personal access token "${issued.credential.name}" for ${user.email}`, options.json);
}
