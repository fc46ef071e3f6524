/**
 * The permission matrix: every /v4 endpoint × every kind of caller → the expected status.
 * `test/http/permissions.test.ts` sends each request for real and `docs/permissions.md` is
 * rendered from this table (`npx tsx scripts/permissions-doc.ts`), so docs and behaviour
 * cannot drift.
 */

export const PRINCIPALS = [
  { key: 'memberPat', label: 'member PAT', about: 'a company member’s PAT without scopes' },
  { key: 'adminPat', label: 'admin PAT', about: 'a company admin’s PAT without scopes' },
  { key: 'ownerPat', label: 'owner PAT', about: 'the company owner’s PAT without scopes' },
  {
    key: 'managerPat',
    label: 'admin PAT + manage',
    about: 'an admin’s PAT holding every scope, including the management scope `credentials:manage`',
  },
  {
    key: 'scopedPat',
    label: 'admin PAT, one scope',
    about: 'an admin’s PAT limited to the single scope `meeting-types:read`',
  },
  {
    key: 'apiKey',
    label: 'API key, no header',
    about: 'the company’s Platform API key (no scopes) without `x-meetergo-api-user-id`',
  },
  {
    key: 'apiKeyMember',
    label: 'API key + member',
    about: 'the same key, the header naming a company member',
  },
  {
    key: 'apiKeyForeign',
    label: 'API key + other company',
    about: 'the same key, the header naming a user of another company',
  },
  {
    key: 'apiKeyUnknown',
    label: 'API key + unknown id',
    about: 'the same key, the header naming a user id that does not exist',
  },
  { key: 'memberSession', label: 'member session', about: 'a member logged in to the dashboard (cookie)' },
  { key: 'ownerSession', label: 'owner session', about: 'the owner logged in to the dashboard (cookie)' },
  { key: 'none', label: 'no credential', about: 'no `Authorization` header and no session cookie' },
] as const;

export type PrincipalKey = (typeof PRINCIPALS)[number]['key'];

/** What an `:id` in the path refers to; the test creates a fresh one for every cell that mutates. */
export const TARGETS = {
  member: 'the company’s member (the caller themselves in the member columns)',
  freshMember: 'a fresh member user (never the caller)',
  invitableMember: 'a fresh member user without a password yet (created by an admin), never the caller',
  editableUser: 'the caller themselves when a member acts (members may edit themselves), else a fresh member',
  ownPat: 'a fresh PAT of the caller (of the member where nobody acts)',
  memberPat: 'a fresh PAT of the member',
  apiKey: 'a fresh Platform API key of the company',
  deactivatedApiKey: 'a fresh, deactivated Platform API key of the company',
  memberMeetingType: 'a fresh meeting type of the member',
  memberAppointment: 'a fresh booked appointment of the member',
} as const;

export type Target = keyof typeof TARGETS;

export interface Endpoint {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  target?: Target;
  /** The body sent; `{unique}` is replaced by a value unique to the cell. */
  body?: Record<string, unknown>;
  expect: Record<PrincipalKey, number>;
}

// One status per column, in the order of PRINCIPALS (a column added there makes every row a type error).
type StatusPer<T extends readonly unknown[]> = { -readonly [K in keyof T]: number };
type Row = StatusPer<typeof PRINCIPALS>;
const row = (statuses: Row): Record<PrincipalKey, number> =>
  Object.fromEntries(PRINCIPALS.map((p, i) => [p.key, statuses[i]])) as Record<PrincipalKey, number>;

export const ENDPOINTS: Endpoint[] = [
  // Users
  {
    method: 'GET',
    path: '/v4/user/me',
    expect: row([200, 200, 200, 200, 403, 200, 200, 403, 403, 200, 200, 401]),
  },
  {
    method: 'GET',
    path: '/v4/user',
    expect: row([403, 200, 200, 200, 403, 400, 403, 403, 403, 403, 200, 401]),
  },
  {
    method: 'GET',
    path: '/v4/user/:id',
    target: 'member',
    expect: row([200, 200, 200, 200, 403, 400, 200, 403, 403, 200, 200, 401]),
  },
  {
    method: 'POST',
    path: '/v4/user',
    body: { email: 'new-{unique}@example.test', role: 'member' },
    expect: row([403, 403, 403, 403, 403, 201, 403, 403, 403, 403, 201, 401]),
  },
  {
    method: 'PATCH',
    path: '/v4/user/:id',
    target: 'editableUser',
    body: { givenName: 'Renamed' },
    expect: row([403, 403, 403, 403, 403, 400, 200, 403, 403, 200, 200, 401]),
  },
  {
    method: 'POST',
    path: '/v4/user/:id/invitation',
    target: 'invitableMember',
    expect: row([403, 403, 403, 403, 403, 400, 403, 403, 403, 403, 201, 401]),
  },
  {
    method: 'DELETE',
    path: '/v4/user/:id',
    target: 'freshMember',
    expect: row([403, 403, 403, 403, 403, 400, 403, 403, 403, 403, 200, 401]),
  },
  // Personal access tokens (management: sessions, or a credential with the management scope)
  {
    method: 'GET',
    path: '/v4/personal-access-tokens',
    expect: row([403, 403, 403, 200, 403, 400, 403, 403, 403, 200, 200, 401]),
  },
  {
    method: 'POST',
    path: '/v4/personal-access-tokens',
    body: { name: 'pat-{unique}', expiresIn: '30d' },
    expect: row([403, 403, 403, 201, 403, 400, 403, 403, 403, 201, 201, 401]),
  },
  {
    method: 'DELETE',
    path: '/v4/personal-access-tokens/:id',
    target: 'ownPat',
    expect: row([403, 403, 403, 200, 403, 400, 403, 403, 403, 200, 200, 401]),
  },
  {
    method: 'POST',
    path: '/v4/personal-access-tokens/:id/roll',
    target: 'ownPat',
    expect: row([403, 403, 403, 201, 403, 400, 403, 403, 403, 201, 201, 401]),
  },
  // Platform API keys (owners and admins)
  {
    method: 'GET',
    path: '/v4/api-keys',
    expect: row([403, 403, 403, 200, 403, 400, 403, 403, 403, 403, 200, 401]),
  },
  {
    method: 'POST',
    path: '/v4/api-keys',
    body: { name: 'key-{unique}', expiresInDays: 30 },
    expect: row([403, 403, 403, 201, 403, 400, 403, 403, 403, 403, 201, 401]),
  },
  {
    method: 'DELETE',
    path: '/v4/api-keys/:id',
    target: 'apiKey',
    expect: row([403, 403, 403, 200, 403, 400, 403, 403, 403, 403, 200, 401]),
  },
  {
    method: 'POST',
    path: '/v4/api-keys/:id/deactivate',
    target: 'apiKey',
    expect: row([403, 403, 403, 200, 403, 400, 403, 403, 403, 403, 200, 401]),
  },
  {
    method: 'POST',
    path: '/v4/api-keys/:id/activate',
    target: 'deactivatedApiKey',
    expect: row([403, 403, 403, 200, 403, 400, 403, 403, 403, 403, 200, 401]),
  },
  {
    method: 'POST',
    path: '/v4/api-keys/:id/roll',
    target: 'apiKey',
    expect: row([403, 403, 403, 201, 403, 400, 403, 403, 403, 403, 201, 401]),
  },
  // Activity and audit
  {
    method: 'GET',
    path: '/v4/credentials/:id/activity',
    target: 'memberPat',
    expect: row([403, 403, 403, 200, 403, 400, 403, 403, 403, 200, 200, 401]),
  },
  {
    method: 'GET',
    path: '/v4/audit-log',
    expect: row([403, 403, 403, 200, 403, 400, 403, 403, 403, 403, 200, 401]),
  },
  {
    method: 'GET',
    path: '/v4/scopes',
    expect: row([200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
  },
  // Meeting types
  {
    method: 'GET',
    path: '/v4/meeting-type',
    expect: row([200, 200, 200, 200, 200, 400, 200, 403, 403, 200, 200, 401]),
  },
  {
    method: 'POST',
    path: '/v4/meeting-type',
    body: { name: 'Intro {unique}', duration: 30 },
    expect: row([201, 201, 201, 201, 403, 400, 201, 403, 403, 201, 201, 401]),
  },
  {
    method: 'GET',
    path: '/v4/meeting-type/:id',
    target: 'memberMeetingType',
    expect: row([200, 200, 200, 200, 200, 400, 200, 403, 403, 200, 200, 401]),
  },
  {
    method: 'PATCH',
    path: '/v4/meeting-type/:id',
    target: 'memberMeetingType',
    body: { name: 'Renamed {unique}' },
    expect: row([200, 200, 200, 200, 403, 400, 200, 403, 403, 200, 200, 401]),
  },
  {
    method: 'DELETE',
    path: '/v4/meeting-type/:id',
    target: 'memberMeetingType',
    expect: row([200, 200, 200, 200, 403, 400, 200, 403, 403, 200, 200, 401]),
  },
  // Availability
  {
    method: 'GET',
    path: '/v4/availability',
    expect: row([200, 200, 200, 200, 403, 400, 200, 403, 403, 200, 200, 401]),
  },
  {
    method: 'PUT',
    path: '/v4/availability',
    body: { timezone: 'Europe/Berlin', schedule: { monday: [{ start: '09:00', end: '17:00' }] } },
    expect: row([200, 200, 200, 200, 403, 400, 200, 403, 403, 200, 200, 401]),
  },
  // Appointments
  {
    method: 'GET',
    path: '/v4/appointment',
    expect: row([200, 200, 200, 200, 403, 400, 200, 403, 403, 200, 200, 401]),
  },
  {
    method: 'GET',
    path: '/v4/appointment/today',
    expect: row([200, 200, 200, 200, 403, 400, 200, 403, 403, 200, 200, 401]),
  },
  {
    method: 'GET',
    path: '/v4/appointment/:id',
    target: 'memberAppointment',
    expect: row([200, 200, 200, 200, 403, 400, 200, 403, 403, 200, 200, 401]),
  },
  {
    method: 'POST',
    path: '/v4/appointment/:id/cancel',
    target: 'memberAppointment',
    expect: row([200, 200, 200, 200, 403, 400, 200, 403, 403, 200, 200, 401]),
  },
];

const STATUS_MEANING: Record<number, string> = {
  200: 'allowed',
  201: 'allowed, created',
  204: 'allowed, no content',
  400: 'refused: an API key needs the acting-user header on this endpoint',
  401: 'refused: no credential (or an invalid one)',
  403: 'refused: role, missing scope, PAT on user management, or acting user outside the company',
  404: 'not found: the resource is not visible to the caller',
};

const cell = (path: string) => path.replace(':id', '{id}');

/**
 * The markdown of `docs/permissions.md`, rendered from {@link ENDPOINTS}.
 *
 * @example
 * writeFileSync('docs/permissions.md', renderPermissionsMarkdown());
 */
export function renderPermissionsMarkdown(): string {
  const header = `| endpoint | ${PRINCIPALS.map((p) => p.label).join(' | ')} |`;
  const rule = `|---|${PRINCIPALS.map(() => '---').join('|')}|`;
  const lines = ENDPOINTS.map(
    (e) =>
      `| \`${e.method} ${cell(e.path)}\` | ${PRINCIPALS.map((p) => String(e.expect[p.key])).join(' | ')} |`,
  );
  const ids = ENDPOINTS.flatMap((e) =>
    e.target ? [`- \`${e.method} ${cell(e.path)}\`: ${TARGETS[e.target]}`] : [],
  );
  const used = [...new Set(ENDPOINTS.flatMap((e) => Object.values(e.expect)))].sort();
  const legend = used.map((status) => {
    const meaning = STATUS_MEANING[status];
    if (!meaning) throw new Error(`status ${status} in the permission matrix has no legend entry`);
    return `- **${status}**: ${meaning}`;
  });
  return [
    '# Permissions',
    '',
    '<!-- Generated from test/http/permission-matrix.ts by `npx tsx scripts/permissions-doc.ts`; do not edit. -->',
    '',
    'Who may call what. Every cell is a real request in `test/http/permissions.test.ts`, which also',
    'fails if the server registers a `/v4` route that has no row here, or if this page differs from',
    'the table it is generated from.',
    '',
    'The rules behind the table (the authentication contract; see also the',
    '[security model](security.md) and [errors](errors.md)):',
    '',
    '- A **PAT** acts as its owner with the owner’s role. Without scopes it has the owner’s full',
    '  access **except** credential management, which needs the `credentials:manage` scope (never',
    '  part of the default); user management (`POST/PATCH/DELETE /v4/user…`) is refused to every',
    '  PAT, even an owner’s and whatever its scopes.',
    '- A **Platform API key** acts as the user named by `x-meetergo-api-user-id`. `GET /v4/user/me`',
    '  and `POST /v4/user` work without the header and then act as the company owner; every other',
    '  endpoint answers 400 without it. A user of another company, an unknown id or a value that is',
    '  not a UUID → 403 `API user does not belong to company`.',
    '- **Scopes**: a credential with scopes gets its role’s permissions ∩ its scopes; a missing',
    '  scope → 403 with `WWW-Authenticate: Bearer error="insufficient_scope"`.',
    '- `GET /v4/scopes` is public: it answers everyone, whatever credential comes with the request.',
    '- A **dashboard session** acts as the logged-in user, with the full access of their role,',
    '  credential management included.',
    '- **Roles**: members reach their own resources; admins and owners read and manage the whole',
    '  company’s. Only owners and admins list, create, invite and delete users or edit other users,',
    '  manage API keys and read the audit log.',
    '',
    'The columns:',
    '',
    ...PRINCIPALS.map((p) => `- **${p.label}**: ${p.about}.`),
    '',
    header,
    rule,
    ...lines,
    '',
    'Statuses:',
    '',
    ...legend,
    '',
    'What `{id}` is in each row: always a real id in the caller’s company, the caller’s own resource',
    'where members reach only their own, and created afresh for each request (“fresh”) where the',
    'request could change it, so that no cell depends on another:',
    '',
    ...ids,
    '',
  ].join('\n');
}
