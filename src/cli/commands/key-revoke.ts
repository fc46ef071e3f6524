import { ownerOf, withWarden } from '../context.js';
import { expectOk } from '../errors.js';
import { emitJson, info } from '../output.js';

export interface KeyRevokeOptions {
  company: string;
  json?: boolean;
}

/** `key revoke`: permanently and immediately; the key stays listed as revoked for the audit log. */
export async function keyRevoke(id: string, options: KeyRevokeOptions): Promise<void> {
  const key = await withWarden(async (warden) => {
    const { caller } = await ownerOf(warden, options.company);
    return expectOk(await warden.credentials.revoke(caller, 'api_key', id), {
      not_found: `No API key with id ${id} in company ${options.company}`,
    });
  });
  if (options.json) {
    emitJson(key);
    return;
  }
  info(`Revoked API key "${key.name}" (${key.maskedValue}); it is refused from now on.`);
}
