import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { NodeFailure } from '../errors/node-failure';

/** A response body longer than the node allows; reading stopped at the limit. */
export class ResponseTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The response body is larger than ${limit} bytes`);
    this.name = 'ResponseTooLargeError';
  }
}

function decoderFor(encoding: string | undefined) {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return undefined;
  }
}

/**
 * Reads a body up to `limit` bytes after decoding (so a small compressed body cannot expand past
 * the limit in memory). Stops and destroys the stream as soon as the limit is exceeded.
 */
export async function readLimited(body: Readable, limit: number, contentEncoding?: string): Promise<Buffer> {
  const decoder = decoderFor(contentEncoding);
  const source: Readable = decoder ? body.pipe(decoder) : body;
  if (decoder) body.on('error', (err) => decoder.destroy(err));
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw new ResponseTooLargeError(limit);
      chunks.push(chunk);
    }
  } finally {
    if (size > limit || !source.readableEnded) {
      body.destroy();
      decoder?.destroy();
    }
  }
  return Buffer.concat(chunks, size);
}

/** Decodes a body as text in the Content-Type's charset (UTF-8 when absent or unknown). */
export function decodeText(bytes: Buffer, contentType: string | undefined): string {
  const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** `application/json`, `application/problem+json`, `text/json` … */
export function isJsonType(contentType: string | undefined): boolean {
  return /^[^;]*[/+]json\s*(;|$)/i.test(contentType ?? '');
}

/** The parsed body when it is JSON, otherwise null (a malformed JSON body is not an error: `body` has it). */
export function parseJson(text: string, contentType: string | undefined): unknown {
  if (!isJsonType(contentType) || !text.trim()) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** Response headers as one string per lower-case name (repeated headers joined with ", "). */
export function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export function tooLarge(limit: number, where: string): NodeFailure {
  return new NodeFailure('http_response_too_large', { target: where, limit }, {
    details: { limit },
  });
}
