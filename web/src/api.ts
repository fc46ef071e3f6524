import type {
  ActivityEntry,
  AuditEntry,
  AuthOptions,
  AuthResponse,
  CreateApiKeyBody,
  CreatePatBody,
  Credential,
  CredentialResponse,
  IssuedCredential,
  ListResponse,
  Scope,
  User,
} from './api-types';

/** A failed API call, carrying the human-readable `message` of the error body. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;

  constructor(status: number, message: string, code?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

function readMessage(body: unknown): { message?: string; code?: string } {
  if (typeof body !== 'object' || body === null) return {};
  const { message, code } = body as Record<string, unknown>;
  return {
    message: typeof message === 'string' && message.length > 0 ? message : undefined,
    code: typeof code === 'string' ? code : undefined,
  };
}

/** Dispatched on `window` when the API answers 401 outside `/auth`: the session has ended. */
export const UNAUTHORIZED_EVENT = 'keywarden:unauthorized';

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers:
        body === undefined
          ? { accept: 'application/json' }
          : {
              accept: 'application/json',
              'content-type': 'application/json',
            },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'Could not reach the Keywarden server. Check your connection and try again.');
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    if (response.status === 401 && !path.startsWith('/auth/')) {
      window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
    }
    const { message, code } = readMessage(parsed);
    const fallback =
      response.status >= 500
        ? 'Something went wrong on the server. Please try again.'
        : `Request failed (${response.status}).`;
    throw new ApiError(response.status, message ?? fallback, code);
  }
  return parsed as T;
}

/** The message to show for any error thrown by an API call. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong. Please try again.';
}

const enc = encodeURIComponent;

export const api = {
  authOptions: () => request<AuthOptions>('GET', '/auth/options'),
  signup: (body: { company: string; name: string; email: string; password: string }) =>
    request<AuthResponse>('POST', '/auth/signup', body),
  login: (body: { email: string; password: string }) => request<AuthResponse>('POST', '/auth/login', body),
  acceptInvitation: (body: { token: string; password: string }) =>
    request<AuthResponse>('POST', '/auth/accept-invitation', body),
  logout: () => request<void>('POST', '/auth/logout'),
  session: () => request<AuthResponse>('GET', '/auth/session'),

  me: () => request<User>('GET', '/v4/user/me'),
  users: () => request<User[]>('GET', '/v4/user'),
  scopes: () => request<ListResponse<Scope>>('GET', '/v4/scopes'),

  listPats: () => request<ListResponse<Credential>>('GET', '/v4/personal-access-tokens'),
  createPat: (body: CreatePatBody) => request<IssuedCredential>('POST', '/v4/personal-access-tokens', body),
  revokePat: (id: string) => request<CredentialResponse>('DELETE', `/v4/personal-access-tokens/${enc(id)}`),
  rollPat: (id: string, overlapSeconds: number) =>
    request<IssuedCredential>('POST', `/v4/personal-access-tokens/${enc(id)}/roll`, { overlapSeconds }),

  listApiKeys: () => request<ListResponse<Credential>>('GET', '/v4/api-keys'),
  createApiKey: (body: CreateApiKeyBody) => request<IssuedCredential>('POST', '/v4/api-keys', body),
  deactivateApiKey: (id: string) =>
    request<CredentialResponse>('POST', `/v4/api-keys/${enc(id)}/deactivate`, {}),
  activateApiKey: (id: string) => request<CredentialResponse>('POST', `/v4/api-keys/${enc(id)}/activate`, {}),
  revokeApiKey: (id: string) => request<CredentialResponse>('DELETE', `/v4/api-keys/${enc(id)}`),
  rollApiKey: (id: string, overlapSeconds: number) =>
    request<IssuedCredential>('POST', `/v4/api-keys/${enc(id)}/roll`, { overlapSeconds }),

  activity: (id: string) =>
    request<ListResponse<ActivityEntry>>('GET', `/v4/credentials/${enc(id)}/activity`),
  auditLog: () => request<ListResponse<AuditEntry>>('GET', '/v4/audit-log'),
};
