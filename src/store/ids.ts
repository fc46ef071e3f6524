import { type Column, eq, type SQL, sql } from 'drizzle-orm';
import { isUuid } from '../ids.js';

/**
 * `column = id` for an id a caller passed in, or a condition no row meets when `id` is not a
 * UUID: PostgreSQL refuses to compare a `uuid` column with other text (an error, not "no such
 * row"), so a mistyped id would otherwise throw out of the service instead of being not found.
 */
export function idIs(column: Column, id: string): SQL {
  return isUuid(id) ? eq(column, id) : sql`false`;
}
