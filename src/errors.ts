/**
 * The one registry of error codes: HTTP status, the `error` phrase and the exact `message`.
 * Every code here is documented in docs/errors.md (a test keeps the two in step).
 */
export const ERRORS = {
  missing_authorization: { status: 401, message: 'Missing authorization header' },
  invalid_credential: { status: 401, message: 'Invalid API key' },
  credential_expired: { status: 401, message: 'API key has expired' },
  impersonation_forbidden: {
    status: 403,
    message:
      "The 'x-meetergo-api-user-id' header requires a Platform API Key. Personal Access Tokens always act as the token owner and cannot act on behalf of other users.",
  },
  acting_user_required: {
    status: 400,
    message: "Missing required header 'x-meetergo-api-user-id' for API key authentication",
  },
  acting_user_not_in_company: { status: 403, message: 'API user does not belong to company' },
  credential_deactivated: { status: 403, message: 'API key is deactivated' },
  ip_not_allowed: { status: 403, message: 'This API key may not be used from this IP address' },
  plan_required: { status: 403, message: "Your company's plan does not include this kind of credential" },
  insufficient_scope: { status: 403, message: 'The credential lacks the scope this endpoint requires' },
  forbidden: { status: 403, message: 'You do not have permission to do this' },
  user_management_requires_api_key: {
    status: 403,
    message:
      'User management requires a Platform API key or a dashboard session; Personal Access Tokens cannot manage users',
  },
  origin_mismatch: {
    status: 403,
    message: 'Cross-origin request refused: the Origin header must match this server',
  },
  rate_limited: { status: 429, message: 'Too Many Requests' },
  usage_exhausted: { status: 429, message: 'Usage limit exceeded for this credential' },
  validation_failed: { status: 400, message: 'Request validation failed' },
  invalid_json: { status: 400, message: 'Request body is not valid JSON' },
  invalid_id: { status: 400, message: 'Invalid id' },
  not_found: { status: 404, message: 'Not found' },
  conflict: { status: 409, message: 'Conflict' },
  name_taken: { status: 409, message: 'You already have a live token with this name' },
  email_taken: { status: 409, message: 'A user with this email already exists' },
  invalid_login: { status: 401, message: 'Invalid email or password' },
  not_authenticated: { status: 401, message: 'Not logged in' },
  invalid_invitation: { status: 400, message: 'This invitation link is invalid or has expired' },
  signup_closed: { status: 403, message: 'Sign-up is closed on this server' },
  expiry_not_allowed: { status: 400, message: 'This expiry is not allowed' },
  payload_too_large: { status: 413, message: 'Request body is too large' },
  unsupported_media_type: { status: 415, message: 'Unsupported Media Type' },
  method_not_allowed: { status: 405, message: 'Method Not Allowed' },
  malformed_request: { status: 400, message: 'Malformed HTTP request' },
  request_timeout: { status: 408, message: 'The request did not arrive in time' },
  headers_too_large: { status: 431, message: 'Request headers are too large' },
  internal: { status: 500, message: 'Internal Server Error' },
  unavailable: { status: 503, message: 'Service Unavailable' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

const REASON_PHRASES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  431: 'Request Header Fields Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The JSON error body every endpoint answers with. */
export interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  error: string;
  message: string;
}

/** Builds the documented body for `code`; `message` overrides the default text when given. */
export function errorBody(code: ErrorCode, message?: string): ErrorBody {
  const entry = ERRORS[code];
  return {
    statusCode: entry.status,
    code,
    error: REASON_PHRASES[entry.status] ?? 'Error',
    message: message ?? entry.message,
  };
}

/** An expected outcome of a domain operation: a value, or a documented error code. */
export type Result<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message?: string };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: ErrorCode, message?: string): Result<T> {
  return message === undefined ? { ok: false, code } : { ok: false, code, message };
}
