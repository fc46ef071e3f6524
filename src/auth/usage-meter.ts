/** One authenticated request made with a credential, as the activity log keeps it. */
export interface UsageEvent {
  credentialId: string;
  /** Milliseconds since the epoch. */
  at: number;
  method: string;
  route: string;
  status: number;
  ip: string | null;
  userAgent: string | null;
  actingUserId: string | null;
}

/**
 * The running usage tally of one credential between two flushes of the usage recorder.
 *
 * Every cached credential carries one and hands it out on its principal, so counting a request is
 * a few field writes on an object the request already holds: no lookup by id, no allocation. The
 * recorder owns the fields (see `src/warden/usage-recorder.ts`); everyone else passes it along.
 */
export interface UsageMeter {
  readonly credentialId: string;
  /** The UTC day being counted, in days since the epoch (-1 before the first request). */
  day: number;
  /** Requests of `day` since the last flush. */
  requests: number;
  lastAt: number;
  lastIp: string | null;
  /** The last use this meter had written to the database (see the recorder's `LAST_USE_STEP_MS`). */
  writtenAt: number;
  writtenIp: string | null;
  /** The activity events sampled since the last flush (`null` until the first). */
  events: UsageEvent[] | null;
  /** How many they are, kept here so that counting never reads the array. */
  sampled: number;
  /** Whether the recorder holds this meter for its next flush. */
  queued: boolean;
}

/** A meter with nothing counted yet; one literal, so every meter shares one object shape. */
export function newUsageMeter(credentialId: string): UsageMeter {
  return {
    credentialId,
    day: -1,
    requests: 0,
    lastAt: 0,
    lastIp: null,
    writtenAt: 0,
    writtenIp: null,
    events: null,
    sampled: 0,
    queued: false,
  };
}
