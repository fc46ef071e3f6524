import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/passwords.js';
import type { Role } from '../../src/auth/scopes.js';
import { buildApp } from '../../src/http/app.js';
import type { Caller } from '../../src/warden/credentials-service.js';
import type { UserView } from '../../src/warden/directory-service.js';
import { launchChromium, requireChromium } from './browser.js';

// The dashboard in a real browser against the real server: what a person does, and what the API
// then accepts or refuses. `KEYWARDEN_SCREENSHOTS=1` also writes docs/screenshots/*.png.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCREENSHOTS = process.env.KEYWARDEN_SCREENSHOTS === '1';
const SCREENSHOT_DIR = join(ROOT, 'docs', 'screenshots');
const PASSWORD = 'correct horse battery staple';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 812 };

interface Person {
  company: string;
  name: string;
  email: string;
}

const chromiumReady = requireChromium('Dashboard end-to-end tests (test/e2e)');

describe.skipIf(!chromiumReady)('dashboard in Chromium', () => {
  let app: FastifyInstance;
  let browser: Browser;
  let base: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'web', 'dist', 'index.html'))) {
      execFileSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
        cwd: ROOT,
        stdio: 'inherit',
      });
    }
    [app, browser] = await Promise.all([
      buildApp({
        config: {
          DATABASE_URL: 'memory://',
          LOG_LEVEL: 'silent',
          AUTH_FAILURE_LIMIT: 1_000_000,
          USAGE_FLUSH_MS: 100,
        },
      }),
      launchChromium(),
    ]);
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    if (SCREENSHOTS) mkdirSync(SCREENSHOT_DIR, { recursive: true });
  }, 120_000);

  // Anything the dashboard's Content-Security-Policy blocked, reported by Chromium to the console.
  const blocked: string[] = [];

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
    expect(blocked.splice(0), 'the dashboard runs under its Content-Security-Policy').toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  /** A fresh browser profile (no cookies) whose pages may use the clipboard. */
  async function openPage(viewport = DESKTOP): Promise<Page> {
    const context = await browser.newContext({ viewport, locale: 'en-US', timezoneId: 'UTC' });
    contexts.push(context);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text()))
        blocked.push(message.text());
    });
    return page;
  }

  async function shoot(page: Page, name: string, options: { fullPage?: boolean } = {}) {
    if (!SCREENSHOTS) return;
    await page.screenshot({
      path: join(SCREENSHOT_DIR, `${name}.png`),
      fullPage: options.fullPage ?? false,
      animations: 'disabled',
    });
  }

  const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name, exact: true });
  const navLink = (page: Page, name: string) =>
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

  /** Signs up through the form and returns the new owner as the API sees them. */
  async function signUp(page: Page, person: Person, screenshot?: string) {
    const served = await page.goto(`${base}/#/signup`);
    expect(served?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(served?.headers()['x-frame-options']).toBe('DENY');
    await page.getByLabel('Company', { exact: true }).fill(person.company);
    await page.getByLabel('Your name', { exact: true }).fill(person.name);
    await page.getByLabel('Email', { exact: true }).fill(person.email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    if (screenshot) await shoot(page, screenshot);
    await page.getByRole('button', { name: 'Sign up', exact: true }).click();
    await heading(page, 'Personal access tokens').waitFor();
    // The page's own session cookie answers "who am I", as the dashboard itself asks.
    const me = await page.request.get(`${base}/v4/user/me`);
    expect(me.status()).toBe(200);
    return (await me.json()) as { id: string; companyId: string; email: string };
  }

  async function logIn(page: Page, email: string) {
    await page.goto(`${base}/#/login`);
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await heading(page, 'Personal access tokens').waitFor();
  }

  /** A company owned by someone who signed up in their own browser (closed again). */
  async function companyWithOwner(person: Person) {
    const page = await openPage();
    const owner = await signUp(page, person);
    await page.context().close();
    return { owner, caller: ownerCaller(owner) };
  }

  /** The owner as the server's library names a caller. */
  const ownerCaller = (owner: { id: string; companyId: string }): Caller => ({
    companyId: owner.companyId,
    userId: owner.id,
    role: 'owner',
    credentialId: null,
    ip: null,
  });

  /** Adds a colleague with a password through the server's library, as an owner would. */
  async function addColleague(caller: Caller, role: Exclude<Role, 'owner'>, email: string, name: string) {
    const [givenName = name, familyName = ''] = name.split(' ');
    const created = await app.keywarden.warden.directory.createUser(caller, {
      email,
      role,
      givenName,
      familyName,
      passwordHash: await hashPassword(PASSWORD),
    });
    if (!created.ok) throw new Error(`could not add ${email}: ${created.code}`);
    return created.value;
  }

  /** `GET /v4/user/me` with a credential, from outside the browser like an integration would. */
  async function whoAmI(token: string, actingUserId?: string) {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (actingUserId) headers['x-meetergo-api-user-id'] = actingUserId;
    const response = await fetch(`${base}/v4/user/me`, { headers });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** A row action such as "Deactivate Billing sync" (exact: "Activate …" is inside "Deactivate …"). */
  const rowButton = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
  const row = (page: Page, name: string) =>
    page.getByRole('row').filter({ has: page.getByRole('rowheader').filter({ hasText: name }) });
  const cell = (row: Locator, column: string) => row.locator(`td[data-label="${column}"]`);
  const text = async (locator: Locator) => ((await locator.textContent()) ?? '').trim();
  /** Reads the page's document scroll width (the page runs in the browser, not in Node). */
  const scrollWidth = (page: Page) => page.evaluate<number>('document.scrollingElement.scrollWidth');

  it('an owner signs up, copies a new token, uses it, sees it used, and revoking it locks it out', {
    timeout: 60_000,
  }, async () => {
    const ada = { company: 'Acme Robotics', name: 'Ada Lovelace', email: 'ada@acme.test' };
    const page = await openPage();
    const owner = await signUp(page, ada, 'sign-up');
    await page.getByText('No personal access tokens yet').waitFor();

    await page.getByRole('button', { name: 'Create token' }).click();
    const form = page.getByRole('dialog', { name: 'Create personal access token' });
    await form.getByLabel('Name', { exact: true }).fill('CI deploys');
    await form.getByRole('radio', { name: '90 days' }).check();
    await form.getByRole('button', { name: 'Create token' }).click();

    const reveal = page.getByRole('dialog', { name: 'Copy your new token' });
    const token = await reveal.getByRole('textbox', { name: 'New personal access token' }).inputValue();
    expect(token).toMatch(/^rgo-/);
    await reveal.getByText("You won't be able to see it again").waitFor();
    await reveal.getByRole('button', { name: 'Copy', exact: true }).click();
    await reveal.getByRole('button', { name: 'Copied!', exact: true }).waitFor();
    const clipboard = await page.evaluate<string>('navigator.clipboard.readText()');
    expect(clipboard).toBe(token);
    await shoot(page, 'token-reveal');
    await reveal.getByRole('button', { name: 'Done' }).click();
    await reveal.waitFor({ state: 'detached' });

    const ciDeploys = row(page, 'CI deploys');
    expect(await text(cell(ciDeploys, 'Status'))).toBe('Active');
    expect(await text(cell(ciDeploys, 'Expires'))).toMatch(/^Expires in (89|90) days$/);
    expect(await text(cell(ciDeploys, 'Last used'))).toBe('Never used');

    const used = await whoAmI(clipboard);
    expect(used.status).toBe(200);
    expect(used.body.email).toBe(ada.email);

    // Usage is flushed in the background (every 100 ms here): reload until the list shows it.
    await expect
      .poll(
        async () => {
          await page.reload();
          return text(cell(ciDeploys, 'Last used'));
        },
        { timeout: 10_000, interval: 250 },
      )
      .toMatch(/^just now/);
    // After a reload the session comes from the cookie alone: the header still names the company.
    await page.getByRole('banner').getByText('Acme Robotics', { exact: false }).waitFor();

    if (SCREENSHOTS) {
      // More rows for the picture: one that never expires and one that expires soon.
      const pats = app.keywarden.warden.credentials;
      await pats.createPat(ownerCaller(owner), { name: 'Analytics export', expiresIn: 'never' });
      await pats.createPat(ownerCaller(owner), {
        name: 'Local scripts',
        expiresAt: new Date(Date.now() + 4.5 * 86_400_000),
        scopes: ['users:read'],
      });
      await page.reload();
      await row(page, 'Local scripts').waitFor();
      await shoot(page, 'tokens');
    }

    await page.getByRole('link', { name: 'Activity for CI deploys' }).click();
    await heading(page, 'Activity for CI deploys').waitFor();
    const request = page.getByRole('row').filter({ hasText: '/v4/user/me' }).first();
    expect(await text(cell(request, 'Method'))).toBe('GET');
    expect(await text(cell(request, 'Status'))).toBe('200');
    await shoot(page, 'activity');

    await navLink(page, 'Personal access tokens').click();
    await rowButton(page, 'Revoke CI deploys').click();
    const confirm = page.getByRole('dialog', { name: 'Revoke CI deploys?' });
    await confirm.getByRole('button', { name: 'Revoke', exact: true }).click();
    await confirm.waitFor({ state: 'detached' });
    await expect.poll(() => text(cell(ciDeploys, 'Status'))).toBe('Revoked');
    expect(await ciDeploys.getByRole('button').count()).toBe(0);

    const refused = await whoAmI(clipboard);
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ message: 'Invalid API key' });

    await navLink(page, 'Audit log').click();
    await heading(page, 'Audit log').waitFor();
    await page.getByRole('cell', { name: 'pat.revoked' }).waitFor();
    await shoot(page, 'audit-log');
  });

  describe('in a company with an admin and a member', () => {
    let admin: UserView;
    let member: UserView;

    beforeAll(async () => {
      const { caller } = await companyWithOwner({
        company: 'Globex',
        name: 'Hank Scorpio',
        email: 'hank@globex.test',
      });
      admin = await addColleague(caller, 'admin', 'grace@globex.test', 'Grace Hopper');
      member = await addColleague(caller, 'member', 'linus@globex.test', 'Linus Torvalds');
    }, 60_000);

    it('an admin creates an API key, deactivates, reactivates and revokes it', {
      timeout: 60_000,
    }, async () => {
      const page = await openPage();
      await logIn(page, admin.email);
      await navLink(page, 'API keys').click();
      await heading(page, 'API keys').waitFor();
      // The acting-user help lists the ids the header accepts.
      await page.getByRole('cell', { name: admin.id }).waitFor();

      await page.getByRole('button', { name: 'Create API key' }).click();
      const form = page.getByRole('dialog', { name: 'Create API key' });
      await form.getByLabel('Name (optional)').fill('Billing sync');
      await form.getByLabel('Expires in (days)').fill('30');
      await form.getByRole('button', { name: 'Create API key' }).click();
      const reveal = page.getByRole('dialog', { name: 'Copy your new API key' });
      const key = await reveal.getByRole('textbox', { name: 'New API key' }).inputValue();
      expect(key).toMatch(/^ak_live/);
      await reveal.getByRole('button', { name: 'Done' }).click();
      await reveal.waitFor({ state: 'detached' });

      const billing = row(page, 'Billing sync');
      expect(await text(cell(billing, 'Status'))).toBe('Active');
      await shoot(page, 'api-keys', { fullPage: true });
      const asAdmin = await whoAmI(key, admin.id);
      expect(asAdmin.status).toBe(200);
      expect(asAdmin.body.email).toBe(admin.email);

      await rowButton(page, 'Deactivate Billing sync').click();
      await rowButton(page, 'Activate Billing sync').waitFor();
      expect(await text(cell(billing, 'Status'))).toBe('Deactivated');
      const paused = await whoAmI(key, admin.id);
      expect(paused.status).toBe(403);
      expect(paused.body).toMatchObject({ message: 'API key is deactivated' });

      await rowButton(page, 'Activate Billing sync').click();
      await rowButton(page, 'Deactivate Billing sync').waitFor();
      expect(await text(cell(billing, 'Status'))).toBe('Active');
      expect((await whoAmI(key, admin.id)).status).toBe(200);

      await rowButton(page, 'Revoke Billing sync').click();
      const confirm = page.getByRole('dialog', { name: 'Revoke Billing sync?' });
      await confirm.getByRole('button', { name: 'Revoke', exact: true }).click();
      await confirm.waitFor({ state: 'detached' });
      await expect.poll(() => text(cell(billing, 'Status'))).toBe('Revoked');
      const revoked = await whoAmI(key, admin.id);
      expect(revoked.status).toBe(401);
      expect(revoked.body).toMatchObject({ message: 'Invalid API key' });

      // The user-id help (a code sample and long ids) still fits a phone screen.
      await page.setViewportSize(PHONE);
      expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
    });

    it('a member sees no API-key page', { timeout: 60_000 }, async () => {
      const page = await openPage();
      await logIn(page, member.email);
      await navLink(page, 'Personal access tokens').waitFor();
      expect(await navLink(page, 'API keys').count()).toBe(0);
      expect(await navLink(page, 'Audit log').count()).toBe(0);

      await page.goto(`${base}/#/api-keys`);
      await page.getByText('Only owners and admins can manage API keys').waitFor();
      expect(await page.getByRole('button', { name: 'Create API key' }).count()).toBe(0);
    });
  });

  describe('on a server with sign-up closed (SIGNUP_ENABLED=false)', () => {
    let closed: FastifyInstance;
    let closedBase: string;

    beforeAll(async () => {
      closed = await buildApp({
        config: { DATABASE_URL: 'memory://', LOG_LEVEL: 'silent', SIGNUP_ENABLED: false },
      });
      await closed.listen({ port: 0, host: '127.0.0.1' });
      closedBase = `http://127.0.0.1:${(closed.server.address() as AddressInfo).port}`;
    }, 60_000);

    afterAll(async () => {
      await closed?.close();
    });

    const signupOffers = (page: Page) =>
      Promise.all([
        page.getByRole('link', { name: 'Sign up' }).count(),
        page.getByRole('button', { name: 'Sign up' }).count(),
      ]);

    it('offers no sign-up, and #/signup explains who gives out accounts instead of showing the form', {
      timeout: 60_000,
    }, async () => {
      const page = await openPage();
      // For contrast: where sign-up is open, a first visit to the login page invites to it.
      await page.goto(`${base}/#/login`);
      await page.getByRole('link', { name: 'Sign up', exact: true }).waitFor();

      await page.goto(`${closedBase}/#/signup`);
      await heading(page, 'Sign-up is closed').waitFor();
      await page
        .getByText("Sign-up is closed on this server. Ask your company's owner or admin for an account.")
        .waitFor();
      expect(await page.getByLabel('Company', { exact: true }).count()).toBe(0);
      expect(await page.getByLabel('Password', { exact: true }).count()).toBe(0);
      expect(await signupOffers(page)).toEqual([0, 0]);

      // A first visit (the page that otherwise shows the big invitation) …
      await page.getByRole('link', { name: 'Log in', exact: true }).click();
      await heading(page, 'Log in').waitFor();
      await page.getByText("No account yet? Ask your company's owner or admin for an account.").waitFor();
      expect(await signupOffers(page)).toEqual([0, 0]);

      // … and a returning visitor (the page that otherwise shows the small link).
      await page.evaluate("localStorage.setItem('keywarden:has-account', '1')");
      await page.reload();
      await heading(page, 'Log in').waitFor();
      expect(await signupOffers(page)).toEqual([0, 0]);
    });
  });

  it('an invited colleague opens the link, sets a password and lands on their tokens page', {
    timeout: 60_000,
  }, async () => {
    const ownerPage = await openPage();
    const owner = await signUp(ownerPage, {
      company: 'Initech',
      name: 'Bill Lumbergh',
      email: 'bill@initech.test',
    });
    // Added without a password, as `POST /v4/user` does; the owner invites them from their session.
    const created = await ownerPage.request.post(`${base}/v4/user`, {
      headers: { origin: base },
      data: { email: 'milton@initech.test', givenName: 'Milton' },
    });
    expect(created.status()).toBe(201);
    const milton = (await created.json()) as { id: string };
    const invited = await ownerPage.request.post(`${base}/v4/user/${milton.id}/invitation`, {
      headers: { origin: base },
    });
    expect(invited.status()).toBe(201);
    const { url, token } = (await invited.json()) as { url: string; token: string };
    expect(url).toBe(`${base}/#/invite/${token}`);

    const page = await openPage();
    await page.goto(`${base}/#/invite/kwi_${'x'.repeat(32)}`);
    await heading(page, 'Set your password').waitFor();
    await page.getByLabel('New password', { exact: true }).fill('staplers are mine');
    await page.getByLabel('Confirm password', { exact: true }).fill('staplers are mine');
    await page.getByRole('button', { name: 'Set password and log in' }).click();
    await page.getByText('This invitation link is invalid or has expired').waitFor();

    await page.goto(url);
    await page.getByLabel('New password', { exact: true }).fill('staplers are mine');
    await page.getByLabel('Confirm password', { exact: true }).fill('staplers are mine');
    await page.getByRole('button', { name: 'Set password and log in' }).click();
    await heading(page, 'Personal access tokens').waitFor();
    expect(new URL(page.url()).hash).toBe('#/tokens');
    await page.getByText('No personal access tokens yet').waitFor();
    const me = await page.request.get(`${base}/v4/user/me`);
    expect(await me.json()).toMatchObject({ id: milton.id, companyId: owner.companyId, role: 'member' });

    // The link worked once: opened again (in another browser), it says so.
    const again = await openPage();
    await again.goto(url);
    await again.getByLabel('New password', { exact: true }).fill('someone else now');
    await again.getByLabel('Confirm password', { exact: true }).fill('someone else now');
    await again.getByRole('button', { name: 'Set password and log in' }).click();
    await again.getByText('This invitation link is invalid or has expired').waitFor();
    await heading(again, 'Set your password').waitFor();
  });

  it('the tokens page fits a 375 px phone screen without sideways scrolling', {
    timeout: 60_000,
  }, async () => {
    const page = await openPage(PHONE);
    await signUp(page, { company: 'Umbrella', name: 'Alice Abernathy', email: 'alice@umbrella.test' });
    await page.getByRole('button', { name: 'Create token' }).click();
    const form = page.getByRole('dialog', { name: 'Create personal access token' });
    await form.getByLabel('Name', { exact: true }).fill('Nightly analytics export');
    await form.getByRole('radio', { name: 'No expiration' }).check();
    await form.getByRole('button', { name: 'Create token' }).click();
    const reveal = page.getByRole('dialog', { name: 'Copy your new token' });
    await reveal.getByRole('button', { name: 'Done' }).click();
    await reveal.waitFor({ state: 'detached' });

    const nightly = row(page, 'Nightly analytics export');
    expect(await text(cell(nightly, 'Expires'))).toContain('No expiry');
    expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await shoot(page, 'tokens-phone', { fullPage: true });
  });
});
