import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { verifyPassword } from '../../src/auth/passwords.js';
import { createWarden } from '../../src/warden/create-warden.js';
import { createPostgresDatabase, postgresAdminUrl } from '../support/databases.js';
import { seedCompany, unwrap } from '../support/fixtures.js';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'keywarden-cli-'));
const databaseUrl = `pglite://${join(dir, 'db')}`;
// Each call is a fresh Node process opening PGlite: seconds each on a busy machine.
const SLOW = 120_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI from source, as `keywarden …` would, with an optional stdin. */
function cli(args: string[], input?: string, url = databaseUrl): Promise<Run> {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: root,
      // Explicit values win over a developer's .env (dotenv never overrides the environment).
      env: {
        ...process.env,
        DATABASE_URL: url,
        DEFAULT_PLAN: 'enterprise',
        PAT_PREFIX: 'rgo-',
        API_KEY_PREFIX: 'ak_live',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

// Top level, so the folder goes even when only some tests run.
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('keywarden CLI', () => {
  let companyId = '';
  let userId = '';
  let pat = '';
  let apiKey = '';
  let keyId = '';

  it('creates a company with an owner password read from stdin, printing only its id', {
    timeout: SLOW,
  }, async () => {
    const run = await cli(
      [
        'company',
        'create',
        '--name',
        'Acme',
        '--owner-email',
        'ada@acme.test',
        '--owner-name',
        'Ada Lovelace',
        '--password-stdin',
      ],
      'correct horse battery\n',
    );
    expect(run.stderr).toContain('Created company "Acme" on the enterprise plan');
    expect(run.code).toBe(0);
    companyId = run.stdout.trim();
    expect(companyId).toMatch(UUID);
  });

  it('adds a user and issues them a PAT whose secret is the whole of stdout', { timeout: SLOW }, async () => {
    const created = await cli([
      'user',
      'create',
      '--company',
      companyId,
      '--email',
      'bob@acme.test',
      '--role',
      'admin',
      '--json',
    ]);
    expect(created.code).toBe(0);
    const user = JSON.parse(created.stdout) as { id: string; role: string; companyId: string };
    expect(user).toMatchObject({ role: 'admin', companyId });
    userId = user.id;

    const issued = await cli([
      'pat',
      'create',
      '--user',
      'bob@acme.test',
      '--name',
      'ci',
      '--expires',
      '90d',
    ]);
    expect(issued.code).toBe(0);
    expect(issued.stdout).toMatch(/^rgo-[0-9A-Za-z]{48}\n$/);
    pat = issued.stdout.trim();
    expect(issued.stderr).toContain('Expires in 90 days');
    expect(issued.stderr).not.toContain(pat);
  });

  it('invites a user with a one-time link printed once, whose token the server accepts', {
    timeout: SLOW,
  }, async () => {
    const created = await cli(['user', 'create', '--company', companyId, '--email', 'cleo@acme.test']);
    expect(created.code).toBe(0);
    expect(created.stderr).toContain(`keywarden user invite --company ${companyId} --email cleo@acme.test`);

    const invited = await cli([
      'user',
      'invite',
      '--company',
      companyId,
      '--email',
      'cleo@acme.test',
      '--base-url',
      'https://keys.acme.test/',
    ]);
    expect(invited.code).toBe(0);
    expect(invited.stdout).toMatch(/^https:\/\/keys\.acme\.test\/#\/invite\/kwi_[0-9A-Za-z]{32}\n$/);
    const token = invited.stdout.trim().split('/').pop() ?? '';
    expect(invited.stderr).toContain('Invited cleo@acme.test');
    expect(invited.stderr).not.toContain(token);

    // An owner (who has a password) cannot be invited; a user of no company here is an error.
    const owner = await cli(['user', 'invite', '--company', companyId, '--user', 'ada@acme.test']);
    expect(owner.code).toBe(1);
    expect(owner.stderr).toBe('error: ada@acme.test has already set a password\n');
    expect(owner.stdout).toBe('');

    const warden = await createWarden({ databaseUrl, invalidation: 'local' });
    try {
      const accepted = unwrap(await warden.invitations.accept({ token, password: 'cleo’s own password' }));
      expect(accepted).toMatchObject({ email: 'cleo@acme.test', role: 'member', companyId });
      expect((await warden.invitations.accept({ token, password: 'again and again' })).ok).toBe(false);
    } finally {
      await warden.close();
    }
  });

  it('issues an API key, lists it masked and revokes it', { timeout: SLOW }, async () => {
    const issued = await cli([
      'key',
      'create',
      '--company',
      companyId,
      '--name',
      'backend',
      '--days',
      '30',
      '--scopes',
      'users:read',
    ]);
    expect(issued.code).toBe(0);
    expect(issued.stdout).toMatch(/^ak_live:[0-9a-f-]{36}:[0-9A-Za-z]{36}\n$/);
    apiKey = issued.stdout.trim();
    const [, publicId = '', secret = ''] = apiKey.split(':');

    const listed = await cli(['key', 'list', '--company', companyId]);
    expect(listed.code).toBe(0);
    const [header = '', row = '', ...more] = listed.stdout.trim().split('\n');
    expect(header).toMatch(/^ID +NAME +KEY +STATUS +EXPIRES/);
    expect(more).toEqual([]);
    expect(row).toContain(`ak_live:${publicId}:••••`);
    expect(row).toMatch(/ backend +\S+ +active +Expires in 30 days /);
    expect(listed.stdout).not.toContain(secret);
    keyId = row.split(' ')[0] ?? '';
    expect(keyId).toMatch(UUID);

    const revoked = await cli(['key', 'revoke', keyId, '--company', companyId]);
    expect(revoked.code).toBe(0);
    expect(revoked.stderr).toContain('Revoked API key "backend"');

    const after = await cli(['key', 'list', '--company', companyId, '--json']);
    expect(JSON.parse(after.stdout)).toMatchObject([
      { id: keyId, status: 'revoked', maskedValue: `ak_live:${publicId}:••••••••` },
    ]);
    expect(after.stdout).not.toContain(secret);
  });

  it('wrote credentials the library verifies and an owner password that logs in', {
    timeout: SLOW,
  }, async () => {
    // PGlite directories are single-process: every CLI process above has exited.
    const warden = await createWarden({ databaseUrl, invalidation: 'local' });
    try {
      const valid = await warden.verify({ authorization: `Bearer ${pat}` });
      expect(valid.kind).toBe('valid');
      if (valid.kind === 'valid') expect(valid.principal).toMatchObject({ userId, companyId, role: 'admin' });
      expect(await warden.verify({ authorization: `Bearer ${apiKey}`, ownerDefault: true })).toMatchObject({
        kind: 'invalid',
        reason: 'revoked',
      });
      // The owner can log in to the dashboard with the password given on stdin.
      const owner = await warden.directory.findUserByEmail('ada@acme.test');
      expect(owner).toMatchObject({ role: 'owner', givenName: 'Ada', familyName: 'Lovelace' });
      expect(await verifyPassword('correct horse battery', owner?.passwordHash ?? null)).toBe(true);
    } finally {
      await warden.close();
    }
  });

  it('refuses bad input with a one-line message and a non-zero exit', { timeout: SLOW }, async () => {
    // Only `taken` opens the database; the others are refused while parsing, so all run at once.
    const [days, taken, badId] = await Promise.all([
      cli(['key', 'create', '--company', companyId, '--days', '91']),
      cli(['pat', 'create', '--user', userId, '--name', 'ci']),
      cli(['key', 'revoke', 'nope', '--company', companyId]),
    ]);
    expect(days.code).not.toBe(0);
    expect(days.stderr).toContain(
      "option '--days <days>' argument '91' is invalid. Must be a whole number of days from 1 to 90.",
    );
    expect(days.stdout).toBe('');

    expect(taken.code).toBe(1);
    expect(taken.stderr).toBe('error: bob@acme.test already has a live token named "ci"\n');
    expect(taken.stdout).toBe('');

    expect(badId.code).toBe(1);
    expect(badId.stderr).toContain("value 'nope' is invalid for argument 'id'. Expected a UUID.");
  });
});

describe.skipIf(postgresAdminUrl === null)('keywarden CLI on a PostgreSQL server', () => {
  it('tells running servers at once that a key was revoked', { timeout: SLOW }, async () => {
    const database = await createPostgresDatabase();
    // A running server: it has verified the key and holds the result in its cache.
    const server = await createWarden({ databaseUrl: database.url, cache: { ttlMs: 600_000 } });
    try {
      const seed = await seedCompany(server);
      const key = unwrap(await server.credentials.createApiKey(seed.ownerCaller, { expiresInDays: 5 }));
      const authorization = `Bearer ${key.token}`;
      expect((await server.verify({ authorization, ownerDefault: true })).kind).toBe('valid');

      const run = await cli(
        ['key', 'revoke', key.credential.id, '--company', seed.company.id],
        '',
        database.url,
      );
      expect(run.code).toBe(0);
      await vi.waitFor(
        async () => expect((await server.verify({ authorization, ownerDefault: true })).kind).toBe('invalid'),
        {
          timeout: 5_000,
        },
      );
    } finally {
      await server.close();
      await database.drop();
    }
  });
});
