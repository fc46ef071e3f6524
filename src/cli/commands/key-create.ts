import { ownerOf, withWarden } from '../context.js';
import { expectOk } from '../errors.js';
import { revealIssued } from './reveal.js';

export interface KeyCreateOptions {
  company: string;
  name?: string;
  days: number;
  scopes?: string[];
  json?: boolean;
}

/** `key create`: a Platform API key of a company, issued with the owner's rights. */
export async function keyCreate(options: KeyCreateOptions): Promise<void> {
  const { company, issued } = await withWarden(async (warden) => {
    const { company, caller } = await ownerOf(warden, options.company);
    const result = await warden.credentials.createApiKey(caller, {
      ...(options.name !== undefined ? { name: options.name } : {}),
      expiresInDays: options.days,
      scopes: options.scopes ?? null,
    });
    return { company, issued: expectOk(result) };
  });
  revealIssued(issued, `Platform API key "${issued.credential.name}" of ${company.name}`, options.json);
}
