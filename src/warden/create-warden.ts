import { LRUCache } from 'lru-cache';
import type { Plan, VerifyOutcome } from '../auth/outcome.js';
import { VerificationCache, type VerificationCacheOptions } from '../auth/verification-cache.js';
import { createVerifier, type Verifier, type VerifyRequest } from '../auth/verifier.js';
import { now } from '../clock.js';
import { type CredentialFormats, createFormats, type FormatOptions } from '../credentials/format.js';
import { listAudit, writeAudit } from '../store/audit.js';
import { createStoreCredentialSource } from '../store/credential-source.js';
import { openStore, type Store } from '../store/database.js';
import { holdTickShape } from '../tick-shape.js';
import {
  type ChangeEvent,
  type CredentialsService,
  createCredentialsService,
} from './credentials-service.js';
import { createDirectoryService, type DirectoryService } from './directory-service.js';
import { createLocalBus, createPostgresBus, type InvalidationBus } from './invalidation-bus.js';
import { createInvitationsService, type InvitationsService } from './invitations-service.js';
import { createUsageRecorder, type UsageRecorder, type UsageRecorderOptions } from './usage-recorder.js';

/** Where the warden reports problems it handles itself (a pino logger fits). */
export interface WardenLogger {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface WardenOptions {
  /** See {@link openStore}: unset = PGlite in ./data, `pglite://dir`, `memory://` or `postgres://…`. */
  databaseUrl?: string;
  /** An already opened store (the warden then does not close it). */
  store?: Store;
  formats?: FormatOptions;
  cache?: VerificationCacheOptions;
  usage?: Pick<UsageRecorderOptions, 'flushIntervalMs' | 'maxBuffer' | 'maxPerCredential' | 'retentionDays'>;
  /** Plan of companies created without one. Default `enterprise` (self-hosted). */
  defaultPlan?: Plan;
  /** Apply pending migrations on start. Default true. */
  migrate?: boolean;
  /** `auto` (default) uses PostgreSQL LISTEN/NOTIFY across nodes when on a server. */
  invalidation?: 'auto' | 'local';
  clock?: () => number;
  logger?: WardenLogger;
}

/** The library: verification, lifecycle, directory, usage and audit over one database. */
export interface Warden {
  readonly store: Store;
  readonly formats: CredentialFormats;
  readonly verifier: Verifier;
  readonly cache: VerificationCache;
  /** Verifies one request's `Authorization` (and acting-user) header. */
  verify(request: VerifyRequest): Promise<VerifyOutcome>;
  readonly credentials: CredentialsService;
  readonly directory: DirectoryService;
  /** Invitations that let users created by an admin set their first password. */
  readonly invitations: InvitationsService;
  readonly usage: UsageRecorder;
  readonly audit: {
    list: (companyId: string, options?: { limit?: number; before?: number }) => ReturnType<typeof listAudit>;
  };
  /** Flushes usage and closes what the warden opened. */
  close(): Promise<void>;
}

const silent: WardenLogger = { warn() {}, error() {} };

/**
 * Opens the database, applies migrations and wires verification, caches and services.
 *
 * @example
 * import { createWarden } from 'keywarden';
 *
 * const warden = await createWarden({ databaseUrl: process.env.DATABASE_URL });
 * const created = await warden.directory.createCompany({ name: 'Acme', owner: { email: 'ada@acme.test' } });
 * if (!created.ok) throw new Error(created.code);
 * const { company, owner } = created.value;
 * const caller = { companyId: company.id, userId: owner.id, role: owner.role, credentialId: null, ip: null };
 * const issued = await warden.credentials.createPat(caller, { name: 'ci', expiresIn: '90d' });
 * if (issued.ok) {
 *   const outcome = await warden.verify({ authorization: `Bearer ${issued.value.token}` });
 *   // outcome.kind === 'valid', outcome.principal.userId === owner.id
 * }
 * await warden.close();
 */
export async function createWarden(options: WardenOptions = {}): Promise<Warden> {
  // Before the store opens: starting PGlite runs the collections that would cost the shape.
  await holdTickShape();
  const logger = options.logger ?? silent;
  const clock = options.clock ?? Date.now;
  const ownStore = !options.store;
  const store = options.store ?? (await openStore(options.databaseUrl));
  try {
    if (options.migrate !== false) await store.migrate();
    const formats = createFormats(options.formats);
    const cache = new VerificationCache(options.cache);

    const onBusError = (error: unknown) => logger.warn({ err: error }, 'invalidation bus error');
    const url = options.databaseUrl;
    const bus: InvalidationBus =
      options.invalidation !== 'local' && store.driver === 'postgres' && url
        ? await createPostgresBus(url, onBusError)
        : createLocalBus();

    const directory = createDirectoryService({
      db: store.db,
      defaultPlan: options.defaultPlan ?? 'enterprise',
      onChange: (event) => onChange(event),
    });
    const apply = (event: ChangeEvent | { type: 'all' }) => {
      directory.forget(event);
      if (event.type === 'credential') cache.invalidateCredential(event.id);
      else if (event.type === 'user') cache.invalidateUser(event.companyId, event.userId);
      else if (event.type === 'company') cache.invalidateCompany(event.companyId);
      else cache.clear();
    };
    bus.subscribe(apply);
    const onChange = (event: ChangeEvent) => {
      apply(event);
      bus.publish(event);
    };

    // A rolled credential used after its overlap is worth one audit event per minute, not per request.
    const reuseSeen = new LRUCache<string, true>({ max: 10_000, ttl: 60_000 });
    const verifier = createVerifier({
      formats,
      source: createStoreCredentialSource(store),
      cache,
      // Expiry checks run on every request: the request-path clock, unless a test gives one.
      clock: options.clock ?? now,
      onRolledReuse(event) {
        if (reuseSeen.has(event.credentialId)) return;
        reuseSeen.set(event.credentialId, true);
        logger.warn(
          { credentialId: event.credentialId, ip: event.ip },
          'rolled credential used after its overlap window',
        );
        const actor = {
          companyId: event.companyId,
          userId: null,
          credentialId: event.credentialId,
          ip: event.ip ?? null,
        };
        writeAudit(store.db, actor, 'credential.rolled_reuse', event.credentialId).catch((err: unknown) =>
          logger.error({ err }, 'could not write audit event'),
        );
      },
    });

    const usage = createUsageRecorder({
      db: store.db,
      ...options.usage,
      onError: (error) => logger.error({ err: error }, 'usage flush failed'),
    });

    return {
      store,
      formats,
      verifier,
      cache,
      verify: verifier.verify,
      credentials: createCredentialsService({ db: store.db, formats, clock, onChange }),
      directory,
      invitations: createInvitationsService({ db: store.db, clock }),
      usage,
      audit: { list: (companyId, listOptions) => listAudit(store.db, companyId, listOptions) },
      async close() {
        await usage.close();
        await bus.close();
        if (ownStore) await store.close();
      },
    };
  } catch (error) {
    if (ownStore) await store.close();
    throw error;
  }
}
