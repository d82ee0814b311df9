import { z } from 'zod';

/** The largest value of a PostgreSQL `integer` column (versions, indices, counts). */
export const INT32_MAX = 2_147_483_647;

/** A workflow version number in a body: it is stored in an `integer` column. */
export const versionNumber = z.number().int().min(1).max(INT32_MAX);

/** The same, in a path (text coerced to a number). */
export const versionInPath = z.coerce.number().int().min(1).max(INT32_MAX);

const YEAR_ONE = Date.parse('0001-01-01T00:00:00Z');

/** A time filter PostgreSQL can compare with: ISO-8601 with an offset, not before the year 1 (UTC). */
export const timestampFilter = z.iso.datetime({ offset: true }).refine((v) => Date.parse(v) >= YEAR_ONE, 'the time must be in the year 1 or later');
