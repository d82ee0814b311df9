import type { LoadedDataConverter } from '@temporalio/common';
import { decodeOptionalSinglePayload } from '@temporalio/common/lib/internal-non-workflow';
import { JSONToPayload, historyToJSON, type History } from '@temporalio/common/lib/proto-utils';
import { scrubValue } from '@weft/activities';

export type HistoryEvent = NonNullable<History['events']>[number];

/** A Temporal payload in proto JSON: `{metadata: {encoding: <base64>, …}, data?: <base64>}`. */
function isPayloadJson(value: unknown): value is { metadata: Record<string, string>; data?: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const { metadata, data, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).some((k) => k !== 'externalPayloads')) return false;
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) return false;
  return typeof (metadata as Record<string, unknown>).encoding === 'string' && (data === undefined || typeof data === 'string');
}

/**
 * A payload as the client's data converter reads it. One it cannot read (binary, protobuf, a codec
 * it does not have) is shown by its encoding and size only: its bytes are never sent, so nothing
 * in it (a secret) can leave undecoded either.
 */
async function decodePayload(converter: LoadedDataConverter, json: { metadata: Record<string, string>; data?: string }): Promise<unknown> {
  const undecoded = () => ({
    $undecodedPayload: { encoding: Buffer.from(json.metadata.encoding ?? '', 'base64').toString('utf8'), bytes: Buffer.from(json.data ?? '', 'base64').length },
  });
  try {
    const value = (await decodeOptionalSinglePayload(converter, JSONToPayload(json))) ?? null;
    // binary/plain decodes to bytes: not JSON, and not text a mask could look into.
    return ArrayBuffer.isView(value) || value instanceof ArrayBuffer ? undecoded() : value;
  } catch {
    return undecoded();
  }
}

async function decodeIn(converter: LoadedDataConverter, value: unknown): Promise<unknown> {
  if (isPayloadJson(value)) return decodePayload(converter, value);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const v of value) out.push(await decodeIn(converter, v));
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // A failure's stack names files and directories of the worker: internals, as in API errors.
      if (k === 'stackTrace' && typeof v === 'string') continue;
      if (k === 'encodedAttributes' && isPayloadJson(v)) {
        // A failure whose message (and stack) were encoded (the data converter's failure
        // converter): its message is put back where it belongs, its stack left out as above.
        const attributes = await decodePayload(converter, v);
        const message = (attributes as { message?: unknown } | null)?.message;
        if (typeof message === 'string') out.message = message;
        continue;
      }
      out[k] = await decodeIn(converter, v);
    }
    return out;
  }
  return value;
}

export interface DecodedEvent {
  /** the Temporal run (execution) of the continue-as-new chain the event belongs to */
  execution: string;
  eventId: number;
  eventTime: string;
  eventType: string;
  [field: string]: unknown;
}

/**
 * Events as Temporal's JSON history format has them (the format of `temporal workflow show
 * --output json`), with every payload decoded to the value it holds and every secret value of the
 * tenant masked, in payloads and in any other text (failure messages); failures' stack traces are
 * left out.
 */
export async function decodeEvents(converter: LoadedDataConverter, execution: string, events: HistoryEvent[], secrets: readonly string[]): Promise<DecodedEvent[]> {
  if (!events.length) return [];
  const json = JSON.parse(historyToJSON({ events })) as { events: Record<string, unknown>[] };
  const out: DecodedEvent[] = [];
  for (const e of json.events) {
    const decoded = (await decodeIn(converter, e)) as Record<string, unknown>;
    out.push(
      scrubValue(
        { ...decoded, execution, eventId: Number(decoded.eventId), eventTime: String(decoded.eventTime ?? ''), eventType: String(decoded.eventType ?? '') },
        secrets,
      ),
    );
  }
  return out;
}
