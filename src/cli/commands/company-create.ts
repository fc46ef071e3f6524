import type { Plan } from '../../auth/outcome.js';
import { hashPassword } from '../../auth/passwords.js';
import { withWarden } from '../context.js';
import { CliError, expectOk } from '../errors.js';
import { emit, emitJson, info } from '../output.js';

export interface CompanyCreateOptions {
  name: string;
  ownerEmail: string;
  ownerName?: string;
  plan?: Plan;
  passwordStdin?: boolean;
  json?: boolean;
}

/** The first line of stdin (a pipe or a file), without its line break. */
async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) info('Type the password, then Enter and Ctrl-D (it is shown as you type):');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  const [line = ''] = Buffer.concat(chunks).toString('utf8').split(/\r?\n/);
  if (line.length < 8 || line.length > 200) throw new CliError('The password must be 8–200 characters');
  return line;
}

/** `company create`: a company and its owner, who can log in to the dashboard when given a password. */
export async function companyCreate(options: CompanyCreateOptions): Promise<void> {
  const passwordHash = options.passwordStdin ? await hashPassword(await readPasswordFromStdin()) : null;
  const [givenName = '', ...rest] = (options.ownerName ?? '').trim().split(/\s+/);
  const { company, owner } = await withWarden(async (warden) =>
    expectOk(
      await warden.directory.createCompany({
        name: options.name,
        ...(options.plan ? { plan: options.plan } : {}),
        owner: { email: options.ownerEmail, givenName, familyName: rest.join(' '), passwordHash },
      }),
    ),
  );
  if (options.json) return emitJson({ company, owner });
  info(
    `Created company "${company.name}" on the ${company.plan} plan.`,
    `Owner: ${owner.email} (user id ${owner.id})${passwordHash ? '' : ', no dashboard password (use --password-stdin to set one)'}`,
    'Company id:',
  );
  emit(company.id);
}
