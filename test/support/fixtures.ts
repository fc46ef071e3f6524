import type { Plan } from '../../src/auth/outcome.js';
import type { Role } from '../../src/auth/scopes.js';
import type { Warden } from '../../src/warden/create-warden.js';
import type { Caller } from '../../src/warden/credentials-service.js';

let counter = 0;

/** A company with an owner, an admin and a member, and callers for each. */
export async function seedCompany(warden: Warden, plan: Plan = 'enterprise') {
  counter++;
  const tag = `${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`;
  const created = await warden.directory.createCompany({
    name: `Company ${tag}`,
    plan,
    owner: { email: `owner-${tag}@example.test`, givenName: 'Olive', familyName: 'Owner' },
  });
  if (!created.ok) throw new Error(`seed failed: ${created.code}`);
  const { company, owner } = created.value;
  const ownerCaller: Caller = {
    companyId: company.id,
    userId: owner.id,
    role: 'owner',
    credentialId: null,
    ip: null,
  };
  const add = async (role: Exclude<Role, 'owner'>) => {
    const user = await warden.directory.createUser(ownerCaller, {
      email: `${role}-${tag}@example.test`,
      role,
    });
    if (!user.ok) throw new Error(`seed failed: ${user.code}`);
    return user.value;
  };
  const admin = await add('admin');
  const member = await add('member');
  const callerOf = (user: { id: string; role: Role }): Caller => callerIn(company.id, user);
  return { company, owner, admin, member, callerOf, ownerCaller };
}

/** Unwraps a Result in tests, failing loudly with its code. */
/** A user of a company acting through a session (no credential, no IP), as services take it. */
export function callerIn(companyId: string, user: { id: string; role: Role }): Caller {
  return { companyId, userId: user.id, role: user.role, credentialId: null, ip: null };
}

export function unwrap<T>(result: { ok: true; value: T } | { ok: false; code: string; message?: string }): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${result.message ?? ''}`);
  return result.value;
}

/** The token with its last character replaced by another one (so never the token itself). */
export function withLastCharChanged(token: string): string {
  return `${token.slice(0, -1)}${token.endsWith('x') ? 'y' : 'x'}`;
}
