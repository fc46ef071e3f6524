#!/usr/bin/env node
import 'dotenv/config';
import { Command, Option } from 'commander';
import { loadConfig } from '../config.js';
import { openStore } from '../store/database.js';
import { companyCreate } from './commands/company-create.js';
import { keyCreate } from './commands/key-create.js';
import { keyList } from './commands/key-list.js';
import { keyRevoke } from './commands/key-revoke.js';
import { patCreate } from './commands/pat-create.js';
import { userCreate } from './commands/user-create.js';
import { userInvite } from './commands/user-invite.js';
import { parseBaseUrl, parseDays, parsePatExpiry, parseScopes, parseUserRef, parseUuid } from './parsers.js';

// The command table. Implementations live in ./commands; each opens the database named by the
// same configuration as `serve` (environment and .env) and closes it before returning.

const program = new Command()
  .name('keywarden')
  .description('API credentials for multi-tenant SaaS APIs: server, migrations and administration')
  .showHelpAfterError('(add --help for usage)');

const json = () => new Option('--json', 'print the result as JSON on stdout');
const companyOption = () =>
  new Option('--company <id>', 'company id (the command acts with its owner’s rights)')
    .argParser(parseUuid)
    .makeOptionMandatory();
const scopesOption = () =>
  new Option(
    '--scopes <scopes>',
    'comma-separated scopes (default: all the acting user may do except credentials:manage)',
  ).argParser(parseScopes);

program
  .command('serve')
  .description('Serve the /v4 API and the dashboard (PORT, HOST, DATABASE_URL, …)')
  .action(async () => {
    // Loaded on demand: the HTTP stack would add seconds to every administrative command.
    const { startServer } = await import('../http/server.js');
    await startServer(loadConfig());
  });

program
  .command('migrate')
  .description('Apply pending database migrations and exit')
  .action(async () => {
    const config = loadConfig();
    const store = await openStore(config.DATABASE_URL);
    try {
      await store.migrate();
      console.log(`Migrations applied to ${store.location}`);
    } finally {
      await store.close();
    }
  });

const company = program.command('company').description('Companies (workspaces)');
company
  .command('create')
  .description('Create a company and its owner; prints the company id')
  .requiredOption('--name <name>', 'company name')
  .requiredOption('--owner-email <email>', 'email of the owner (also the dashboard login)')
  .option('--owner-name <name>', 'owner’s full name')
  .addOption(
    new Option('--plan <plan>', 'plan (default: the DEFAULT_PLAN setting, enterprise unless set)').choices([
      'free',
      'essentials',
      'enterprise',
    ]),
  )
  .option('--password-stdin', 'read the owner’s dashboard password from the first line of stdin')
  .addOption(json())
  .action(companyCreate);

const user = program.command('user').description('Users of a company');
user
  .command('create')
  .description('Add a user to a company; prints the user id')
  .addOption(companyOption())
  .requiredOption('--email <email>', 'email address')
  .addOption(new Option('--role <role>', 'role').choices(['admin', 'member']).default('member'))
  .option('--given-name <name>', 'given name')
  .option('--family-name <name>', 'family name')
  .addOption(json())
  .action(userCreate);
user
  .command('invite')
  .description(
    'Create a one-time link (7 days) with which a user sets their dashboard password; prints it once',
  )
  .addOption(companyOption())
  .option('--email <email>', 'email of the user to invite')
  .option('--user <id|email>', 'the user to invite, by id or email (instead of --email)', parseUserRef)
  .option(
    '--base-url <url>',
    'origin where the dashboard is served (default: http://HOST:PORT)',
    parseBaseUrl,
  )
  .addOption(json())
  .action(userInvite);

const pat = program.command('pat').description('Personal Access Tokens');
pat
  .command('create')
  .description('Issue a token that acts as the user; prints the token once, alone on stdout')
  .requiredOption('--user <id|email>', 'the user the token belongs to and acts as', parseUserRef)
  .requiredOption('--name <name>', 'token name, unique among the user’s live tokens')
  .option(
    '--expires <when>',
    'one of 30d, 90d, 6m, 1y, never, or an ISO date such as 2030-01-31 (default: 30d)',
    parsePatExpiry,
  )
  .addOption(scopesOption())
  .addOption(json())
  .action(patCreate);

const key = program.command('key').description('Platform API keys');
key
  .command('create')
  .description('Issue a company API key; prints the key once, alone on stdout')
  .addOption(companyOption())
  .option('--name <name>', 'key name (default: "API key")')
  .requiredOption('--days <days>', 'lifetime in whole days, 1–90', parseDays)
  .addOption(scopesOption())
  .addOption(json())
  .action(keyCreate);
key
  .command('list')
  .description('List a company’s API keys: masked values, status and expiry, never secrets')
  .addOption(companyOption())
  .addOption(json())
  .action(keyList);
key
  .command('revoke')
  .description('Revoke an API key permanently and immediately')
  .argument('<id>', 'API key id (from key list)', parseUuid)
  .addOption(companyOption())
  .addOption(json())
  .action(keyRevoke);

program.parseAsync().catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
