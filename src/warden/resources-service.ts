import { and, asc, count, eq, gte, lt, type SQL, sql } from 'drizzle-orm';
import { isCompanyAdmin } from '../auth/scopes.js';
import { fail, ok, type Result } from '../errors.js';
import type { Database } from '../store/database.js';
import { idIs } from '../store/ids.js';
import { appointments, availability, meetingTypes, users } from '../store/schema.js';
import type { Caller } from './credentials-service.js';
import { hasControlCharacters } from './names.js';

/** Who acts on a resource: members reach their own, owners and admins the whole company's. */
export type ResourceCaller = Pick<Caller, 'companyId' | 'userId' | 'role'>;

export const MEETING_TYPE_LIMITS = {
  nameMax: 200,
  descriptionMax: 5000,
  durationMin: 5,
  durationMax: 480,
  bufferMax: 480,
  slugMax: 100,
} as const;

export const SLUG_PATTERN = '^[a-z0-9]+(?:-[a-z0-9]+)*$';
const SLUG_RE = new RegExp(SLUG_PATTERN);

export const WEEKDAYS = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** `HH:MM` from 00:00 to 24:00 (24:00 only makes sense as an end). */
export const TIME_OF_DAY_PATTERN = '^(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]|24:00)$';
const TIME_OF_DAY_RE = new RegExp(TIME_OF_DAY_PATTERN);
export const MAX_RANGES_PER_DAY = 48;
export const CANCEL_REASON_MAX = 500;
export const APPOINTMENT_PAGE_MAX = 100;

export interface TimeRange {
  start: string;
  end: string;
}

/** A weekly schedule with every day present, ranges sorted by start. */
export type WeeklyHours = Record<Weekday, TimeRange[]>;

export interface MeetingTypeView {
  id: string;
  userId: string;
  companyId: string;
  name: string;
  description: string;
  duration: number;
  bufferBefore: number;
  bufferAfter: number;
  slug: string;
  createdAt: string;
  updatedAt: string;
}

export interface AvailabilityView {
  userId: string;
  timezone: string;
  schedule: WeeklyHours;
  /** `null` while the user has saved none and sees the default. */
  updatedAt: string | null;
}

export interface AppointmentView {
  id: string;
  userId: string;
  companyId: string;
  meetingTypeId: string | null;
  start: string;
  end: string;
  status: 'booked' | 'cancelled';
  attendeeName: string;
  attendeeEmail: string;
  cancelReason: string | null;
  cancelledAt: string | null;
  createdAt: string;
}

export interface NewMeetingTypeInput {
  /** Another user of the company (owners and admins only); default the caller. */
  userId?: string;
  name: string;
  description?: string;
  duration: number;
  bufferBefore?: number;
  bufferAfter?: number;
  /** Default: derived from the name, made unique among the user's meeting types. */
  slug?: string;
}

export type MeetingTypePatch = Partial<Omit<NewMeetingTypeInput, 'userId'>>;

export interface AvailabilityInput {
  /** IANA time zone; default the saved one, else the user's. */
  timezone?: string;
  /** Days left out have no hours. */
  schedule: Partial<Record<Weekday, TimeRange[]>>;
}

export interface NewAppointmentInput {
  userId: string;
  meetingTypeId?: string | null;
  start: Date | string;
  end: Date | string;
  attendeeName?: string;
  attendeeEmail?: string;
}

export interface AppointmentPage {
  data: AppointmentView[];
  page: number;
  limit: number;
  total: number;
}

type MeetingTypeRow = typeof meetingTypes.$inferSelect;
type AvailabilityRow = typeof availability.$inferSelect;
type AppointmentRow = typeof appointments.$inferSelect;

const UNIQUE_VIOLATION = '23505';

function isUniqueViolation(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    if ((current as { code?: unknown }).code === UNIQUE_VIOLATION) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** The canonical spelling of an IANA time zone, or `null` when the runtime does not know it. */
function canonicalTimezone(timezone: string): string | null {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: timezone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** The calendar date (`YYYY-MM-DD`) of `instant` in `timezone`. */
function localDate(instant: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(instant);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

export function toMeetingTypeView(row: MeetingTypeRow): MeetingTypeView {
  return {
    id: row.id,
    userId: row.userId,
    companyId: row.companyId,
    name: row.name,
    description: row.description,
    duration: row.duration,
    bufferBefore: row.bufferBefore,
    bufferAfter: row.bufferAfter,
    slug: row.slug,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toAppointmentView(row: AppointmentRow): AppointmentView {
  return {
    id: row.id,
    userId: row.userId,
    companyId: row.companyId,
    meetingTypeId: row.meetingTypeId,
    start: row.start.toISOString(),
    end: row.end.toISOString(),
    status: row.status,
    attendeeName: row.attendeeName,
    attendeeEmail: row.attendeeEmail,
    cancelReason: row.cancelReason,
    cancelledAt: row.cancelledAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * A URL slug from a meeting type's name: lowercase ASCII letters and digits joined by dashes.
 *
 * @example
 * slugify('Café Call — 30 min'); // 'cafe-call-30-min'
 */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MEETING_TYPE_LIMITS.slugMax)
    .replace(/-+$/, '');
  return slug || 'meeting';
}

/** The first of `base`, `base-2`, `base-3`, … not in `taken`, kept within the slug length. */
function freeSlug(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const stem = base.slice(0, MEETING_TYPE_LIMITS.slugMax - suffix.length).replace(/-+$/, '');
    const candidate = `${stem}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}

function slugTaken(slug: string | undefined): string {
  return `The slug '${slug ?? ''}' is already used by another of this user's meeting types`;
}

function integerIn(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** Checks the fields present; returns only the known ones, the name trimmed. */
function checkMeetingType<T extends MeetingTypePatch>(input: T): Result<T> {
  const { nameMax, descriptionMax, durationMin, durationMax, bufferMax, slugMax } = MEETING_TYPE_LIMITS;
  const name = input.name?.trim();
  if (name !== undefined) {
    if (name.length === 0 || name.length > nameMax)
      return fail('validation_failed', `name must be 1–${nameMax} characters`);
    if (hasControlCharacters(name))
      return fail('validation_failed', 'name must not contain control characters');
  }
  if (input.description !== undefined && input.description.length > descriptionMax)
    return fail('validation_failed', `description must be at most ${descriptionMax} characters`);
  if (input.duration !== undefined && !integerIn(input.duration, durationMin, durationMax))
    return fail(
      'validation_failed',
      `duration must be a whole number of minutes from ${durationMin} to ${durationMax}`,
    );
  for (const key of ['bufferBefore', 'bufferAfter'] as const) {
    const value = input[key];
    if (value !== undefined && !integerIn(value, 0, bufferMax))
      return fail('validation_failed', `${key} must be a whole number of minutes from 0 to ${bufferMax}`);
  }
  if (input.slug !== undefined && (input.slug.length > slugMax || !SLUG_RE.test(input.slug)))
    return fail(
      'validation_failed',
      `slug must be at most ${slugMax} lowercase letters, digits and single dashes (like 'intro-call')`,
    );
  const known: MeetingTypePatch = {
    name,
    description: input.description,
    duration: input.duration,
    bufferBefore: input.bufferBefore,
    bufferAfter: input.bufferAfter,
    slug: input.slug,
  };
  const values = Object.fromEntries(Object.entries(known).filter(([, value]) => value !== undefined));
  return ok(values as T);
}

function minutes(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/** Validates a weekly schedule and returns it with every day present and ranges sorted. */
export function normalizeSchedule(schedule: Record<string, unknown>): Result<WeeklyHours> {
  for (const day of Object.keys(schedule)) {
    if (!(WEEKDAYS as readonly string[]).includes(day))
      return fail('validation_failed', `schedule has an unknown day '${day}' (use monday … sunday)`);
  }
  const normalized = {} as WeeklyHours;
  for (const day of WEEKDAYS) {
    const ranges = (schedule[day] ?? []) as TimeRange[];
    if (!Array.isArray(ranges) || ranges.length > MAX_RANGES_PER_DAY)
      return fail(
        'validation_failed',
        `schedule.${day} must be a list of at most ${MAX_RANGES_PER_DAY} ranges`,
      );
    const sorted: TimeRange[] = [];
    for (const range of ranges) {
      const { start, end } = range ?? {};
      if (typeof start !== 'string' || typeof end !== 'string')
        return fail('validation_failed', `schedule.${day}: each range needs a start and an end`);
      if (!TIME_OF_DAY_RE.test(start) || !TIME_OF_DAY_RE.test(end))
        return fail('validation_failed', `schedule.${day}: times must be HH:MM from 00:00 to 24:00`);
      if (minutes(start) >= minutes(end))
        return fail('validation_failed', `schedule.${day}: ${start}–${end} must start before it ends`);
      sorted.push({ start, end });
    }
    sorted.sort((a, b) => minutes(a.start) - minutes(b.start));
    for (let i = 1; i < sorted.length; i++) {
      const previous = sorted[i - 1];
      const current = sorted[i];
      if (previous && current && minutes(current.start) < minutes(previous.end))
        return fail(
          'validation_failed',
          `schedule.${day}: ${previous.start}–${previous.end} and ${current.start}–${current.end} overlap`,
        );
    }
    normalized[day] = sorted;
  }
  return ok(normalized);
}

/** Mon–Fri 09:00–17:00: what a user who has saved nothing is available. */
export function defaultSchedule(): WeeklyHours {
  const workday = () => [{ start: '09:00', end: '17:00' }];
  return {
    monday: workday(),
    tuesday: workday(),
    wednesday: workday(),
    thursday: workday(),
    friday: workday(),
    saturday: [],
    sunday: [],
  };
}

function toAvailabilityView(row: AvailabilityRow): AvailabilityView {
  // Stored rows were normalized on write; normalizing again keeps the day order stable.
  const schedule = normalizeSchedule(row.schedule);
  return {
    userId: row.userId,
    timezone: row.timezone,
    schedule: schedule.ok ? schedule.value : defaultSchedule(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toInstant(value: Date | string): Date | null {
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Filters that keep a caller within reach: the company, and for members their own rows. */
function reachOf(table: typeof meetingTypes | typeof appointments, caller: ResourceCaller): SQL[] {
  const company = eq(table.companyId, caller.companyId);
  return isCompanyAdmin(caller.role) ? [company] : [company, eq(table.userId, caller.userId)];
}

/**
 * Meeting types, weekly availability and appointments: the reference resources owned by users.
 * Members reach their own; owners and admins the whole company's. What a caller cannot reach
 * answers `not_found`, so other users' ids are not confirmed. Every change is one transaction.
 *
 * @example
 * const resources = createResourcesService({ db: warden.store.db });
 * const created = await resources.createMeetingType(caller, { name: 'Intro call', duration: 30 });
 * if (created.ok) console.log(created.value.slug); // 'intro-call'
 */
export function createResourcesService(options: { db: Database }) {
  const { db } = options;

  /**
   * The user a caller acts on: themselves by default; another company user only for owners and
   * admins (members asking for someone else get `forbidden`, whatever the id).
   */
  async function targetUser(
    tx: Database,
    caller: ResourceCaller,
    userId: string | undefined,
  ): Promise<Result<{ id: string; timezone: string }>> {
    const id = userId ?? caller.userId;
    if (id !== caller.userId && !isCompanyAdmin(caller.role))
      return fail('forbidden', "Only owners and admins can act on another user's resources");
    const [row] = await tx
      .select({ id: users.id, timezone: users.timezone })
      .from(users)
      .where(and(idIs(users.id, id), eq(users.companyId, caller.companyId)));
    return row ? ok(row) : fail('not_found', 'User not found');
  }

  // ── meeting types ──────────────────────────────────────────────────────────────────────────

  /** The meeting types within reach, oldest first; `userId` narrows to one user. */
  async function listMeetingTypes(
    caller: ResourceCaller,
    filter: { userId?: string } = {},
  ): Promise<Result<MeetingTypeView[]>> {
    const where = reachOf(meetingTypes, caller);
    if (filter.userId !== undefined) {
      if (filter.userId !== caller.userId && !isCompanyAdmin(caller.role))
        return fail('forbidden', "Only owners and admins can list another user's meeting types");
      where.push(idIs(meetingTypes.userId, filter.userId));
    }
    const rows = await db
      .select()
      .from(meetingTypes)
      .where(and(...where))
      .orderBy(asc(meetingTypes.createdAt), asc(meetingTypes.id));
    return ok(rows.map(toMeetingTypeView));
  }

  async function getMeetingType(caller: ResourceCaller, id: string): Promise<Result<MeetingTypeView>> {
    const [row] = await db
      .select()
      .from(meetingTypes)
      .where(and(idIs(meetingTypes.id, id), ...reachOf(meetingTypes, caller)));
    return row ? ok(toMeetingTypeView(row)) : fail('not_found');
  }

  async function createMeetingType(
    caller: ResourceCaller,
    input: NewMeetingTypeInput,
  ): Promise<Result<MeetingTypeView>> {
    const checked = checkMeetingType(input);
    if (!checked.ok) return checked;
    const values = checked.value;
    let slug = values.slug;
    try {
      return await db.transaction(async (tx) => {
        const target = await targetUser(tx, caller, input.userId);
        if (!target.ok) return target;
        if (slug === undefined) {
          const existing = await tx
            .select({ slug: meetingTypes.slug })
            .from(meetingTypes)
            .where(eq(meetingTypes.userId, target.value.id));
          slug = freeSlug(slugify(values.name), new Set(existing.map((row) => row.slug)));
        }
        const [row] = await tx
          .insert(meetingTypes)
          .values({
            companyId: caller.companyId,
            userId: target.value.id,
            name: values.name,
            description: values.description ?? '',
            duration: values.duration,
            bufferBefore: values.bufferBefore ?? 0,
            bufferAfter: values.bufferAfter ?? 0,
            slug,
          })
          .returning();
        if (!row) throw new Error('insert returned no row');
        return ok(toMeetingTypeView(row));
      });
    } catch (error) {
      if (isUniqueViolation(error)) return fail('conflict', slugTaken(slug));
      throw error;
    }
  }

  async function updateMeetingType(
    caller: ResourceCaller,
    id: string,
    patch: MeetingTypePatch,
  ): Promise<Result<MeetingTypeView>> {
    const checked = checkMeetingType(patch);
    if (!checked.ok) return checked;
    const values = checked.value;
    try {
      return await db.transaction(async (tx) => {
        const [current] = await tx
          .select()
          .from(meetingTypes)
          .where(and(idIs(meetingTypes.id, id), ...reachOf(meetingTypes, caller)))
          .for('update');
        if (!current) return fail<MeetingTypeView>('not_found');
        if (Object.keys(values).length === 0) return ok(toMeetingTypeView(current));
        const [row] = await tx
          .update(meetingTypes)
          .set({ ...values, updatedAt: new Date() })
          .where(eq(meetingTypes.id, id))
          .returning();
        if (!row) throw new Error('update returned no row');
        return ok(toMeetingTypeView(row));
      });
    } catch (error) {
      if (isUniqueViolation(error)) return fail('conflict', slugTaken(values.slug));
      throw error;
    }
  }

  /** Deletes a meeting type; its appointments stay, without a meeting type. */
  async function deleteMeetingType(caller: ResourceCaller, id: string): Promise<Result<MeetingTypeView>> {
    return db.transaction(async (tx) => {
      const [row] = await tx
        .delete(meetingTypes)
        .where(and(idIs(meetingTypes.id, id), ...reachOf(meetingTypes, caller)))
        .returning();
      return row ? ok(toMeetingTypeView(row)) : fail<MeetingTypeView>('not_found');
    });
  }

  // ── availability ───────────────────────────────────────────────────────────────────────────

  /** A user's weekly hours, or the default (Mon–Fri 09:00–17:00 in their time zone) if none saved. */
  async function getAvailability(caller: ResourceCaller, userId?: string): Promise<Result<AvailabilityView>> {
    const target = await targetUser(db, caller, userId);
    if (!target.ok) return target;
    const [row] = await db.select().from(availability).where(eq(availability.userId, target.value.id));
    if (row) return ok(toAvailabilityView(row));
    return ok({
      userId: target.value.id,
      timezone: target.value.timezone,
      schedule: defaultSchedule(),
      updatedAt: null,
    });
  }

  /** Replaces a user's weekly hours. */
  async function setAvailability(
    caller: ResourceCaller,
    input: AvailabilityInput,
    userId?: string,
  ): Promise<Result<AvailabilityView>> {
    const schedule = normalizeSchedule(input.schedule);
    if (!schedule.ok) return schedule;
    const timezone = input.timezone === undefined ? undefined : canonicalTimezone(input.timezone);
    if (timezone === null)
      return fail('validation_failed', 'timezone must be an IANA time zone, like Europe/Berlin');
    return db.transaction(async (tx) => {
      const target = await targetUser(tx, caller, userId);
      if (!target.ok) return target;
      let zone = timezone;
      if (zone === undefined) {
        const [saved] = await tx
          .select({ timezone: availability.timezone })
          .from(availability)
          .where(eq(availability.userId, target.value.id));
        zone = saved?.timezone ?? target.value.timezone;
      }
      const values = { timezone: zone, schedule: schedule.value, updatedAt: new Date() };
      const [row] = await tx
        .insert(availability)
        .values({ userId: target.value.id, companyId: caller.companyId, ...values })
        .onConflictDoUpdate({ target: availability.userId, set: values })
        .returning();
      if (!row) throw new Error('upsert returned no row');
      return ok(toAvailabilityView(row));
    });
  }

  // ── appointments ───────────────────────────────────────────────────────────────────────────

  /** The appointments within reach, by start ascending, one page at a time. */
  async function listAppointments(
    caller: ResourceCaller,
    paging: { page?: number; limit?: number } = {},
  ): Promise<Result<AppointmentPage>> {
    const page = paging.page ?? 1;
    const limit = paging.limit ?? 20;
    if (!integerIn(page, 1, Number.MAX_SAFE_INTEGER))
      return fail('validation_failed', `page must be a whole number from 1 to ${Number.MAX_SAFE_INTEGER}`);
    if (!integerIn(limit, 1, APPOINTMENT_PAGE_MAX))
      return fail('validation_failed', `limit must be from 1 to ${APPOINTMENT_PAGE_MAX}`);
    const where = and(...reachOf(appointments, caller));
    const [totals] = await db.select({ total: count() }).from(appointments).where(where);
    const rows = await db
      .select()
      .from(appointments)
      .where(where)
      .orderBy(asc(appointments.start), asc(appointments.id))
      .limit(limit)
      .offset((page - 1) * limit);
    return ok({ data: rows.map(toAppointmentView), page, limit, total: totals?.total ?? 0 });
  }

  /**
   * Appointments within reach whose start falls on the acting user's current day, in the acting
   * user's time zone (booked and cancelled alike), by start ascending.
   */
  async function listTodayAppointments(
    caller: ResourceCaller,
    now: Date = new Date(),
  ): Promise<Result<{ date: string; timezone: string; data: AppointmentView[] }>> {
    const self = await targetUser(db, caller, undefined);
    if (!self.ok) return self;
    const timezone = canonicalTimezone(self.value.timezone) ?? 'UTC';
    const date = localDate(now, timezone);
    // PostgreSQL turns the local day back into instants, so days of 23 or 25 hours come out right.
    const from = sql`(${date}::date::timestamp at time zone ${timezone})`;
    const to = sql`((${date}::date + 1)::timestamp at time zone ${timezone})`;
    const rows = await db
      .select()
      .from(appointments)
      .where(and(...reachOf(appointments, caller), gte(appointments.start, from), lt(appointments.start, to)))
      .orderBy(asc(appointments.start), asc(appointments.id));
    return ok({ date, timezone, data: rows.map(toAppointmentView) });
  }

  async function getAppointment(caller: ResourceCaller, id: string): Promise<Result<AppointmentView>> {
    const [row] = await db
      .select()
      .from(appointments)
      .where(and(idIs(appointments.id, id), ...reachOf(appointments, caller)));
    return row ? ok(toAppointmentView(row)) : fail('not_found');
  }

  /** Cancels a booked appointment; cancelling one already cancelled is a `conflict`. */
  async function cancelAppointment(
    caller: ResourceCaller,
    id: string,
    reason?: string | null,
  ): Promise<Result<AppointmentView>> {
    const text = reason?.trim() || null;
    if (text !== null && text.length > CANCEL_REASON_MAX)
      return fail('validation_failed', `reason must be at most ${CANCEL_REASON_MAX} characters`);
    return db.transaction(async (tx) => {
      const [current] = await tx
        .select()
        .from(appointments)
        .where(and(idIs(appointments.id, id), ...reachOf(appointments, caller)))
        .for('update');
      if (!current) return fail<AppointmentView>('not_found');
      if (current.status === 'cancelled')
        return fail<AppointmentView>('conflict', 'The appointment is already cancelled');
      const [row] = await tx
        .update(appointments)
        .set({ status: 'cancelled', cancelledAt: new Date(), cancelReason: text })
        .where(eq(appointments.id, id))
        .returning();
      if (!row) throw new Error('update returned no row');
      return ok(toAppointmentView(row));
    });
  }

  /**
   * Books an appointment for a user (there is no booking endpoint yet: tests and seed scripts use
   * this). The company is the user's; a meeting type must belong to the same company.
   */
  async function createAppointment(input: NewAppointmentInput): Promise<Result<AppointmentView>> {
    const start = toInstant(input.start);
    const end = toInstant(input.end);
    if (!start || !end) return fail('validation_failed', 'start and end must be dates');
    if (end.getTime() <= start.getTime()) return fail('validation_failed', 'end must be after start');
    const attendeeName = input.attendeeName?.trim() ?? '';
    const attendeeEmail = input.attendeeEmail?.trim() ?? '';
    if (attendeeName.length > 200 || attendeeEmail.length > 320)
      return fail('validation_failed', 'attendee name or email is too long');
    return db.transaction(async (tx) => {
      const [user] = await tx
        .select({ id: users.id, companyId: users.companyId })
        .from(users)
        .where(idIs(users.id, input.userId));
      if (!user) return fail<AppointmentView>('not_found', 'User not found');
      const meetingTypeId = input.meetingTypeId ?? null;
      if (meetingTypeId !== null) {
        const [type] = await tx
          .select({ id: meetingTypes.id })
          .from(meetingTypes)
          .where(and(idIs(meetingTypes.id, meetingTypeId), eq(meetingTypes.companyId, user.companyId)));
        if (!type) return fail<AppointmentView>('not_found', 'Meeting type not found');
      }
      const [row] = await tx
        .insert(appointments)
        .values({
          companyId: user.companyId,
          userId: user.id,
          meetingTypeId,
          start,
          end,
          attendeeName,
          attendeeEmail,
        })
        .returning();
      if (!row) throw new Error('insert returned no row');
      return ok(toAppointmentView(row));
    });
  }

  return {
    listMeetingTypes,
    getMeetingType,
    createMeetingType,
    updateMeetingType,
    deleteMeetingType,
    getAvailability,
    setAvailability,
    listAppointments,
    listTodayAppointments,
    getAppointment,
    cancelAppointment,
    createAppointment,
  };
}

export type ResourcesService = ReturnType<typeof createResourcesService>;
