import { type TSchema, Type } from '@sinclair/typebox';
import { PAT_EXPIRY_PRESETS } from '../credentials/expiry.js';
import { ERRORS } from '../errors.js';
import { MAX_USAGE } from '../warden/credentials-service.js';
import {
  APPOINTMENT_PAGE_MAX,
  CANCEL_REASON_MAX,
  MAX_RANGES_PER_DAY,
  MEETING_TYPE_LIMITS,
  SLUG_PATTERN,
  TIME_OF_DAY_PATTERN,
} from '../warden/resources-service.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const IsoDate = Type.String({ format: 'date-time' });

export const ErrorBody = Type.Object(
  {
    statusCode: Type.Integer(),
    code: Type.Union(Object.keys(ERRORS).map((code) => Type.Literal(code))),
    error: Type.String(),
    message: Type.String(),
  },
  { $id: 'ErrorBody', description: 'Every 4xx and 5xx answer' },
);

export const Uuid = Type.String({ format: 'uuid' });
export const IdParams = Type.Object({ id: Uuid });

export const RateLimit = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  windowSeconds: Type.Integer({ minimum: 1, maximum: 86_400 }),
});

export const UsageLimitInput = Type.Object({
  remaining: Type.Integer({ minimum: 0, maximum: MAX_USAGE }),
  refillAmount: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: MAX_USAGE }))),
  refillInterval: Type.Optional(Nullable(Type.Union([Type.Literal('day'), Type.Literal('month')]))),
});

export const Credential = Type.Object(
  {
    id: Uuid,
    kind: Type.Union([Type.Literal('pat'), Type.Literal('api_key')]),
    name: Type.String(),
    maskedValue: Type.String({ description: 'Public part and a mask; never secret characters' }),
    scopes: Nullable(Type.Array(Type.String())),
    status: Type.Union(['active', 'expired', 'deactivated', 'revoked'].map((s) => Type.Literal(s))),
    createdAt: IsoDate,
    createdBy: Nullable(Uuid),
    expiresAt: Nullable(IsoDate),
    expiresLabel: Type.String({ description: '`Expires in N days`, `Expired` or `Never`' }),
    lastUsedAt: Nullable(IsoDate),
    lastUsedIp: Nullable(Type.String()),
    ownerUserId: Nullable(Uuid),
    replacedById: Nullable(Uuid),
    rolledAt: Nullable(IsoDate),
    ipAllowlist: Nullable(Type.Array(Type.String())),
    rateLimit: Nullable(RateLimit),
    usageLimit: Nullable(
      Type.Object({
        remaining: Type.Integer(),
        refillAmount: Nullable(Type.Integer()),
        refillInterval: Nullable(Type.Union([Type.Literal('day'), Type.Literal('month')])),
      }),
    ),
  },
  { $id: 'Credential' },
);

export const CredentialList = Type.Object({ data: Type.Array(Type.Ref(Credential)) });
export const CredentialEnvelope = Type.Object({ credential: Type.Ref(Credential) });
export const Issued = Type.Object({
  token: Type.String({ description: 'The full secret. Shown once: store it now.' }),
  credential: Type.Ref(Credential),
  warning: Type.Optional(Type.String()),
});
export const Rolled = Type.Object({
  token: Type.String({ description: 'The new secret. Shown once.' }),
  credential: Type.Ref(Credential),
  previous: Type.Ref(Credential),
});
/** Optional: a roll with no body (or `null`) keeps the default overlap. */
export const RollBody = Nullable(
  Type.Object(
    {
      overlapSeconds: Type.Optional(
        Type.Integer({
          minimum: 0,
          maximum: 30 * 86_400,
          description: 'How long the old secret keeps working (default 86,400)',
        }),
      ),
    },
    { additionalProperties: false },
  ),
);

const ScopesInput = Type.Optional(Nullable(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 32 })));
const AllowlistInput = Type.Optional(Nullable(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 100 })));

export const CreatePatBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    expiresIn: Type.Optional(Type.Union(PAT_EXPIRY_PRESETS.map((preset) => Type.Literal(preset)))),
    expiresAt: Type.Optional(IsoDate),
    scopes: ScopesInput,
    ipAllowlist: AllowlistInput,
    rateLimit: Type.Optional(Nullable(RateLimit)),
    usageLimit: Type.Optional(Nullable(UsageLimitInput)),
  },
  { additionalProperties: false },
);

export const CreateApiKeyBody = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 100 })),
    expiresInDays: Type.Integer({ minimum: 1, maximum: 90 }),
    scopes: ScopesInput,
    ipAllowlist: AllowlistInput,
    rateLimit: Type.Optional(Nullable(RateLimit)),
    usageLimit: Type.Optional(Nullable(UsageLimitInput)),
  },
  { additionalProperties: false },
);

export const User = Type.Object(
  {
    id: Uuid,
    companyId: Uuid,
    email: Type.String(),
    givenName: Type.String(),
    familyName: Type.String(),
    role: Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member')]),
    timezone: Type.String(),
    createdAt: IsoDate,
  },
  { $id: 'User' },
);

export const Company = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    plan: Type.Union([Type.Literal('free'), Type.Literal('essentials'), Type.Literal('enterprise')]),
    createdAt: IsoDate,
  },
  { $id: 'Company' },
);

/** Standard error responses for an authenticated route, for the OpenAPI document. */
export const authErrors = {
  400: Type.Ref(ErrorBody),
  401: Type.Ref(ErrorBody),
  403: Type.Ref(ErrorBody),
  404: Type.Ref(ErrorBody),
  409: Type.Ref(ErrorBody),
  429: Type.Ref(ErrorBody),
} as const;

export const sharedSchemas = [ErrorBody, Credential, User, Company];

// ── Reference resources: meeting types, availability, appointments ─────────────────────────────

export const MeetingType = Type.Object({
  id: Uuid,
  userId: Uuid,
  companyId: Uuid,
  name: Type.String(),
  description: Type.String(),
  duration: Type.Integer({ description: 'Minutes' }),
  bufferBefore: Type.Integer({ description: 'Minutes kept free before a meeting' }),
  bufferAfter: Type.Integer({ description: 'Minutes kept free after a meeting' }),
  slug: Type.String(),
  createdAt: IsoDate,
  updatedAt: IsoDate,
});

const meetingTypeFields = {
  name: Type.String({ minLength: 1, maxLength: MEETING_TYPE_LIMITS.nameMax }),
  description: Type.String({ maxLength: MEETING_TYPE_LIMITS.descriptionMax }),
  duration: Type.Integer({
    minimum: MEETING_TYPE_LIMITS.durationMin,
    maximum: MEETING_TYPE_LIMITS.durationMax,
    description: 'Minutes',
  }),
  bufferBefore: Type.Integer({ minimum: 0, maximum: MEETING_TYPE_LIMITS.bufferMax, description: 'Minutes' }),
  bufferAfter: Type.Integer({ minimum: 0, maximum: MEETING_TYPE_LIMITS.bufferMax, description: 'Minutes' }),
  slug: Type.String({
    maxLength: MEETING_TYPE_LIMITS.slugMax,
    pattern: SLUG_PATTERN,
    description: "Unique among the user's meeting types; default derived from the name",
  }),
};

export const CreateMeetingTypeBody = Type.Object(
  {
    userId: Type.Optional(
      Type.String({ format: 'uuid', description: 'Another company user (owners and admins)' }),
    ),
    name: meetingTypeFields.name,
    description: Type.Optional(meetingTypeFields.description),
    duration: meetingTypeFields.duration,
    bufferBefore: Type.Optional(meetingTypeFields.bufferBefore),
    bufferAfter: Type.Optional(meetingTypeFields.bufferAfter),
    slug: Type.Optional(meetingTypeFields.slug),
  },
  { additionalProperties: false },
);

export const UpdateMeetingTypeBody = Type.Object(
  {
    name: Type.Optional(meetingTypeFields.name),
    description: Type.Optional(meetingTypeFields.description),
    duration: Type.Optional(meetingTypeFields.duration),
    bufferBefore: Type.Optional(meetingTypeFields.bufferBefore),
    bufferAfter: Type.Optional(meetingTypeFields.bufferAfter),
    slug: Type.Optional(meetingTypeFields.slug),
  },
  { additionalProperties: false },
);

/** `?userId=`: another company user's resources (owners and admins). */
export const UserIdQuery = Type.Object({
  userId: Type.Optional(
    Type.String({ format: 'uuid', description: 'Another company user (owners and admins)' }),
  ),
});

const TimeOfDay = Type.String({ pattern: TIME_OF_DAY_PATTERN, description: 'HH:MM, 00:00–24:00' });
const TimeRange = Type.Object({ start: TimeOfDay, end: TimeOfDay }, { additionalProperties: false });
const DayHours = Type.Array(TimeRange, { maxItems: MAX_RANGES_PER_DAY });

export const WeeklyHours = Type.Object({
  monday: DayHours,
  tuesday: DayHours,
  wednesday: DayHours,
  thursday: DayHours,
  friday: DayHours,
  saturday: DayHours,
  sunday: DayHours,
});

export const Availability = Type.Object({
  userId: Uuid,
  timezone: Type.String({ description: 'IANA time zone' }),
  schedule: WeeklyHours,
  updatedAt: Nullable(IsoDate),
});

export const PutAvailabilityBody = Type.Object(
  {
    timezone: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'IANA time zone, like Europe/Berlin; default the saved one, else the user’s',
      }),
    ),
    schedule: Type.Object(
      {
        monday: Type.Optional(DayHours),
        tuesday: Type.Optional(DayHours),
        wednesday: Type.Optional(DayHours),
        thursday: Type.Optional(DayHours),
        friday: Type.Optional(DayHours),
        saturday: Type.Optional(DayHours),
        sunday: Type.Optional(DayHours),
      },
      { additionalProperties: false, description: 'Days left out have no hours' },
    ),
  },
  { additionalProperties: false },
);

export const Appointment = Type.Object({
  id: Uuid,
  userId: Uuid,
  companyId: Uuid,
  meetingTypeId: Nullable(Uuid),
  start: IsoDate,
  end: IsoDate,
  status: Type.Union([Type.Literal('booked'), Type.Literal('cancelled')]),
  attendeeName: Type.String(),
  attendeeEmail: Type.String(),
  cancelReason: Nullable(Type.String()),
  cancelledAt: Nullable(IsoDate),
  createdAt: IsoDate,
});

export const AppointmentPageQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, default: 1 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: APPOINTMENT_PAGE_MAX, default: 20 })),
});

export const AppointmentPage = Type.Object({
  data: Type.Array(Appointment),
  page: Type.Integer(),
  limit: Type.Integer(),
  total: Type.Integer(),
});

export const TodayAppointments = Type.Object({
  date: Type.String({ format: 'date', description: "Today in the acting user's time zone" }),
  timezone: Type.String(),
  data: Type.Array(Appointment),
});

/** Optional: a cancel without a body has no reason (Fastify validates a missing body as `null`). */
export const CancelAppointmentBody = Nullable(
  Type.Object(
    { reason: Type.Optional(Type.String({ maxLength: CANCEL_REASON_MAX })) },
    { additionalProperties: false },
  ),
);
