import type { Router } from 'express';
import { z } from 'zod';
import type { Payload } from '@temporalio/common';
import { PayloadDecryptionError, type EncryptionCodec } from '@weft/activities';
import { DomainError, describe } from '@weft/domain';
import { bare, bindRoutes, defineRoutes } from '../http/route';

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const base64 = z.string().max(4_000_000).regex(BASE64, 'base64');

/**
 * Temporal's codec-server protocol: `Payloads` in protobuf JSON, bytes as base64. Payloads may
 * carry fields of newer protocol versions (external payloads): they are read past, not refused.
 */
const payloadSchema = z.looseObject({
  metadata: z.record(z.string().max(256), base64).optional(),
  data: base64.optional(),
});
export const codecBodySchema = z.object({ payloads: z.array(payloadSchema).max(10_000) }).strict();

const payloadsSchema = z
  .object({ payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()), data: z.string() })) })
  .meta({ description: "Temporal's `Payloads` in protobuf JSON: metadata values and data base64" });

const namespaceHeader = {
  name: 'X-Namespace',
  schema: z.string(),
  description: 'The namespace of the payloads, as the Temporal Web UI and CLI send it; another than the API\'s TEMPORAL_NAMESPACE is refused (403)',
};

export const codecRoutes = defineRoutes({
  decode: {
    method: 'post',
    path: '/codec/decode',
    summary: "Decode payloads for the Temporal Web UI's codec server setting (the operator token only)",
    note: 'payloads without the `binary/encrypted` encoding come back unchanged',
    request: { body: codecBodySchema },
    headers: [namespaceHeader],
    responses: { 200: bare(payloadsSchema, 'The payloads, decrypted') },
    errors: [400, 401, 403, 413, 415, 422],
  },
  encode: {
    method: 'post',
    path: '/codec/encode',
    summary: 'Encode payloads with the current payload key (the operator token only)',
    request: { body: codecBodySchema },
    headers: [namespaceHeader],
    responses: { 200: bare(payloadsSchema, 'The payloads, encrypted') },
    errors: [400, 401, 403, 413, 415],
  },
});

class CodecNamespaceError extends DomainError {
  readonly code = 'codec_namespace_not_served';
}
class CodecPayloadError extends DomainError {
  readonly code = 'codec_payload_undecodable';
}

const fromJson = (p: z.infer<typeof payloadSchema>): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/**
 * The codec endpoint (README "Encrypted history"): behind `codecAccess` (CORS, operator token),
 * mounted before the API key check. Payloads are decoded one by one so an error names the one
 * that failed; nothing undecodable is answered as if it were decoded.
 */
export function codecRouter(codec: EncryptionCodec, namespace: string): Router {
  const checkNamespace = (given: string | undefined) => {
    if (given !== undefined && given !== '' && given !== namespace) throw new CodecNamespaceError(describe('codec_namespace_not_served', { namespace }));
  };
  return bindRoutes(codecRoutes, {
    decode: async (req, res, { body }) => {
      checkNamespace(req.header('x-namespace'));
      const out: Payload[] = [];
      for (const [index, payload] of body.payloads.entries()) {
        try {
          out.push(...(await codec.decode([fromJson(payload)])));
        } catch (err) {
          const reason = err instanceof PayloadDecryptionError ? err.message : 'its bytes are not a payload';
          throw new CodecPayloadError(describe('codec_payload_undecodable', { index, reason }), { index });
        }
      }
      res.json({ payloads: out.map(toJson) });
    },
    encode: async (req, res, { body }) => {
      checkNamespace(req.header('x-namespace'));
      res.json({ payloads: (await codec.encode(body.payloads.map(fromJson))).map(toJson) });
    },
  });
}
