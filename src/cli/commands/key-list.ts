import { ownerOf, withWarden } from '../context.js';
import { expectOk } from '../errors.js';
import { emit, emitJson, formatTable, info } from '../output.js';

export interface KeyListOptions {
  company: string;
  json?: boolean;
}

/** `key list`: a company's Platform API keys, newest first, masked (the secrets are not stored). */
export async function keyList(options: KeyListOptions): Promise<void> {
  const { company, keys } = await withWarden(async (warden) => {
    const { company, caller } = await ownerOf(warden, options.company);
    return { company, keys: expectOk(await warden.credentials.list(caller, 'api_key')) };
  });
  if (options.json) {
    emitJson(keys);
    return;
  }
  if (keys.length === 0) {
    info(`${company.name} has no API keys.`);
    return;
  }
  const rows = keys.map((key) => [
    key.id,
    key.name,
    key.maskedValue,
    key.status,
    key.expiresLabel,
    key.lastUsedAt ?? 'never used',
    key.scopes?.join(',') ?? 'default',
  ]);
  emit(formatTable(['ID', 'NAME', 'KEY', 'STATUS', 'EXPIRES', 'LAST USED', 'SCOPES'], rows));
}
