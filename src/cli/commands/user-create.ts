import type { Role } from '../../auth/scopes.js';
import { ownerOf, withWarden } from '../context.js';
import { expectOk } from '../errors.js';
import { emit, emitJson, info } from '../output.js';

export interface UserCreateOptions {
  company: string;
  email: string;
  role?: Exclude<Role, 'owner'>;
  givenName?: string;
  familyName?: string;
  json?: boolean;
}

/** `user create`: a member (default) or admin of a company, created with the owner's rights. */
export async function userCreate(options: UserCreateOptions): Promise<void> {
  const user = await withWarden(async (warden) => {
    const { caller } = await ownerOf(warden, options.company);
    return expectOk(
      await warden.directory.createUser(caller, {
        email: options.email,
        role: options.role ?? 'member',
        ...(options.givenName !== undefined ? { givenName: options.givenName } : {}),
        ...(options.familyName !== undefined ? { familyName: options.familyName } : {}),
      }),
    );
  });
  if (options.json) {
    emitJson(user);
    return;
  }
  info(
    `Created ${user.role} ${user.email} in company ${user.companyId}.`,
    'They have no dashboard password yet; send them an invitation link made with:',
    `  keywarden user invite --company ${user.companyId} --email ${user.email}`,
    'User id:',
  );
  emit(user.id);
}
