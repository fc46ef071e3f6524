const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID (any version, either case), the form of every id Keywarden stores. */
export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}
