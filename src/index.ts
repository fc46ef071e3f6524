/**
 * Keywarden as a library: `createWarden` for verification and lifecycle over one database,
 * `buildApp` for the ready `/v4` server, and the types a host application needs.
 *
 * @example
 * import { createWarden } from 'keywarden';
 *
 * const warden = await createWarden({ databaseUrl: process.env.DATABASE_URL });
 * const outcome = await warden.verify({ authorization: request.headers.authorization });
 * if (outcome.kind !== 'valid') return refuse(outcome.kind);
 * const { companyId, userId, role, scopes } = outcome.principal;
 */
export type { FailedOutcome, Plan, Principal, RateLimitPolicy, VerifyOutcome } from './auth/outcome.js';
export { OUTCOME_ERROR } from './auth/outcome.js';
export type { Role, Scope } from './auth/scopes.js';
export { SCOPES } from './auth/scopes.js';
export type { VerifyRequest } from './auth/verifier.js';
export type { Config } from './config.js';
export { loadConfig } from './config.js';
export type {
  CredentialFormats,
  CredentialKind,
  FormatOptions,
  ParsedCredential,
} from './credentials/format.js';
export { createFormats } from './credentials/format.js';
export type { ErrorBody, ErrorCode, Result } from './errors.js';
export { ERRORS, errorBody } from './errors.js';
export type { AppOptions } from './http/app.js';
export { buildApp } from './http/app.js';
export type { Store } from './store/database.js';
export { openStore } from './store/database.js';
export type { Warden, WardenLogger, WardenOptions } from './warden/create-warden.js';
export { createWarden } from './warden/create-warden.js';
export type { CredentialStatus, CredentialView } from './warden/credential-view.js';
export type {
  Caller,
  CreateApiKeyInput,
  CreatePatInput,
  IssuedCredential,
} from './warden/credentials-service.js';
export type { CompanyView, UserView } from './warden/directory-service.js';
export type { InvitationsService, IssuedInvitation } from './warden/invitations-service.js';
