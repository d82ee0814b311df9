import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { UnauthorizedError } from '../http/http.errors';

/** Where the codec endpoint is: the guard below covers every path under it. */
export const CODEC_PREFIX = '/codec/';

export interface CodecAccessOptions {
  /** WEFT_CODEC_TOKEN; unset: everyone is refused */
  token: string | undefined;
  /** origins whose pages (the Temporal Web UI) may call the endpoint */
  allowedOrigins: readonly string[];
}

/** WEFT_CODEC_ALLOWED_ORIGINS, or the origin of the Temporal Web UI the API links to. */
export function codecOrigins(setting: string, uiUrl: string): string[] {
  const listed = setting.split(',').map((s) => s.trim()).filter(Boolean);
  return (listed.length ? listed : [uiUrl]).map((o) => {
    try {
      return new URL(o).origin;
    } catch {
      return o;
    }
  });
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
const BEARER = /^Bearer\s+(\S{1,512})\s*$/i;

/**
 * CORS and authentication of the codec endpoint, before its routes (and before their input is
 * read). Only the operator token opens it: the endpoint decrypts the payloads of every tenant (one
 * keyring encrypts the whole namespace), so a tenant's API key, which may see its own tenant only,
 * is not enough. The comparison runs in constant time (of the tokens' digests, equal in length).
 */
export function codecAccess(options: CodecAccessOptions) {
  const expected = options.token === undefined ? undefined : digest(options.token);
  const origins = new Set(options.allowedOrigins);
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.path.startsWith(CODEC_PREFIX)) return next();
    const origin = req.header('origin');
    if (origin && origins.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    res.append('Vary', 'Origin');
    if (req.method === 'OPTIONS') {
      // A preflight carries no credentials: it is answered before the token check, and allows
      // nothing to an origin not in the list (no Allow-Origin header, so the browser stops there).
      if (origin && origins.has(origin)) {
        res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
        res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace');
        res.setHeader('Access-Control-Max-Age', '600');
      }
      res.status(204).end();
      return;
    }
    const given = BEARER.exec(req.header('authorization') ?? '')?.[1];
    if (expected === undefined || given === undefined || !timingSafeEqual(digest(given), expected)) {
      throw new UnauthorizedError('The codec endpoint takes the operator token (WEFT_CODEC_TOKEN) as "Authorization: Bearer <token>"; API keys are refused');
    }
    next();
  };
}
