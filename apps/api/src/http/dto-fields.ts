import { z } from 'zod';
import type { PublicError } from '@weft/domain';

/*
 * Building blocks of the response schemas. JSON columns come out of Prisma typed `JsonValue`, so
 * their fields are `unknown` to TypeScript and say in the document what they hold.
 */

/** A JSON object (inputs, outputs, a graph). */
export const jsonObject = (description: string) => z.unknown().meta({ type: 'object', description });

/** A JSON object or null. */
export const nullableJsonObject = (description: string) => z.unknown().meta({ type: ['object', 'null'], description });

/** Any JSON value, null included. */
export const anyJson = (description: string) => z.unknown().meta({ description });

/** A time as the API writes it: ISO-8601 in UTC. */
export const timestamp = z.iso.datetime();

/** An error as the API shows it: a stable code and plain words (see toPublicError). */
export const publicErrorSchema = z
  .object({
    code: z.string().meta({ description: 'stable machine code, e.g. node_failed, code_timeout, internal_error' }),
    message: z.string().meta({ description: 'plain words; internals go to the logs, under the reference id when there is one' }),
    nodeId: z.string().optional(),
  })
  .meta({ description: 'An error: a stable code and plain words' }) satisfies z.ZodType<PublicError>;
