import { toStorableValue } from '@weft/domain';
import { Prisma } from '../persistence/prisma-client';

/**
 * Nesting the run tables accept. Prisma refuses JSON nested much past 120 levels; values in
 * workflow state are bounded far below this (WEFT_MAX_VALUE_DEPTH), so only a record of a run from
 * before that bound, or a bug, ever meets this one.
 */
export const STORE_MAX_DEPTH = 96;

/**
 * A JSON value PostgreSQL and Prisma can always store: unstorable characters replaced, deeper
 * subtrees replaced by a marker. The last line of defence for run records, which must land.
 */
export function storableJson(value: unknown): Prisma.InputJsonValue | typeof Prisma.DbNull {
  if (value === undefined || value === null) return Prisma.DbNull;
  return toStorableValue(value, { maxDepth: STORE_MAX_DEPTH }) as Prisma.InputJsonValue;
}
