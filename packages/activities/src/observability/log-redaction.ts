import winston from 'winston';

export const REDACTED = '[REDACTED]';

/**
 * Keys whose value is a credential whatever it looks like: compared without case, `-` or `_`, by
 * their ending, so `Authorization`, `x-api-key`, `providerApiKey`, `db_password`, `clientSecret`,
 * `secrets` (an executor's resolved secret values), `formToken` and `Set-Cookie` are caught while
 * `tokens` or `promptTokens` (counts) are not.
 */
const SENSITIVE_KEY_ENDINGS = ['authorization', 'apikey', 'apikeys', 'password', 'passwd', 'secret', 'secrets', 'token', 'cookie', 'credentials'];
/**
 * Key material named by what it protects rather than by `secret` or `token`: WEFT_ENCRYPTION_KEY,
 * the payload codec's keys (WEFT_PAYLOAD_KEYS), a private or signing key. Listed whole, since `…key` alone would take
 * `idempotencyKey`, `nodeKey` or `keyId` too.
 */
const SENSITIVE_KEY_MATERIAL = /(?:encryption|private|signing|secret|codec|payload|hmac|master)keys?$/;

export function isSensitiveKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[-_]/g, '');
  return SENSITIVE_KEY_ENDINGS.some((ending) => k.endsWith(ending)) || SENSITIVE_KEY_MATERIAL.test(k);
}

/**
 * The name part of a `name=value` or `"name": "value"` credential: any name ending like a credential's
 * (`client_secret`, `X-Amz-Signature`). Repetitions are bounded, here and below: the text may be a
 * tenant's (an upstream answer in an error), and an unbounded one is quadratic on `a.a.a.…`.
 */
const CREDENTIAL_NAME = String.raw`[A-Za-z0-9_.-]{0,64}?(?:access_token|api[_-]?key|apikey|token|password|passwd|secret|key|signature|sig|credential|authorization)`;

/**
 * Values that are credentials wherever they appear (a message, a URL, an error text): the scheme
 * of an Authorization value is kept so a reader still sees what kind of credential was there.
 */
const SENSITIVE_TEXT: readonly [RegExp, string][] = [
  // Authorization header values
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  // Weft API keys (`sk-` + 43 base64url characters, apps/api/src/auth) and OpenAI-style keys (`sk-…`, `sk-proj-…`)
  [/\bsk-[A-Za-z0-9_-]{16,}/g, REDACTED],
  // Signed approval form tokens (`f1.<id>.<expiry>.<HMAC>`): a link's whole capability; invitation
  // tokens (`i1.…`, in the path of POST /v1/invitations/:token/accept, so in the request log) alike
  [/\b[fi]1\.[A-Za-z0-9_-]+\.[0-9a-z]+\.[A-Za-z0-9_-]{43}/g, REDACTED],
  // refresh tokens (`rt_` + 43 base64url characters, apps/api/src/accounts)
  [/\brt_[A-Za-z0-9_-]{43}/g, REDACTED],
  // credentials in a query string or a `name=value` text (`?api_key=…`, `token=…`, `client_secret=…`)
  // (a value already redacted, as the spans' `url.full` has them, stays as it is)
  [new RegExp(String.raw`\b(${CREDENTIAL_NAME})=(?!\[?REDACTED\]?(?:[&\s"';,]|$))([^&\s"';,]+)`, 'gi'), `$1=${REDACTED}`],
  // the same in JSON quoted into a text (a request body or an upstream answer in an error message)
  [new RegExp(String.raw`("${CREDENTIAL_NAME}s?"\s*:\s*)"(?:[^"\\]|\\.){0,4096}"`, 'gi'), `$1"${REDACTED}"`],
  // a password in a URL's userinfo (`postgresql://weft:hunter2@db`, `https://user:pass@host`): the user name stays
  [/\b([a-z][a-z0-9+.-]{0,31}:\/\/[^\s/:@]{0,256}):[^\s/@]{0,256}@/gi, `$1:${REDACTED}@`],
  // JSON Web Tokens
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, REDACTED],
];

/** A text with every credential-looking value in it replaced. */
export function redactText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SENSITIVE_TEXT) out = out.replace(pattern, replacement);
  return out;
}

const MAX_DEPTH = 12;

/**
 * A copy of `value` with sensitive keys' values and credential-looking strings replaced. Objects
 * are copied only where something changed: log metadata often holds references to live objects
 * the caller still uses, and the logger must not change them.
 */
export function redactValue(value: unknown, depth = 0, done: Map<object, unknown> = new Map()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) return value;
  // An object met twice gets the same answer; one met inside itself (a cycle) is left to the serializer.
  if (done.has(value)) return done.get(value);
  done.set(value, value);
  const result = redactObject(value, depth, done);
  done.set(value, result);
  return result;
}

function redactObject(value: object, depth: number, done: Map<object, unknown>): unknown {
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, i) => {
      const next = redactValue(item, depth + 1, done);
      if (next !== item) (copy ??= [...value])[i] = next;
    });
    return copy ?? value;
  }
  // Only plain records and errors are walked: a Buffer, a Date or a class instance is left as it is.
  const proto = Object.getPrototypeOf(value) as unknown;
  if (value instanceof Error) return redactError(value, depth, done);
  if (proto !== Object.prototype && proto !== null) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const next = redactField(key, item, depth, done);
    if (next !== item) (copy ??= { ...value })[key] = next;
  }
  return copy ?? value;
}

/** An error nested in metadata: its message and stack are what the log shows of it. */
function redactError(err: Error, depth: number, done: Map<object, unknown>): unknown {
  const out: Record<string, unknown> = { name: err.name, message: redactText(err.message), ...(err.stack ? { stack: redactText(err.stack) } : {}) };
  for (const [key, item] of Object.entries(err)) out[key] = redactField(key, item, depth, done);
  return out;
}

function redactField(key: string, item: unknown, depth: number, done: Map<object, unknown>): unknown {
  return isSensitiveKey(key) && item !== undefined && item !== null && item !== '' ? REDACTED : redactValue(item, depth + 1, done);
}

/**
 * The redaction step of every log line (createLogger): secrets, API keys and Authorization values
 * never reach the log. It rewrites the line's own fields in place (winston's `info` is the line,
 * made for this call) and copies anything nested that changes.
 */
export const redactSecrets = winston.format((info) => {
  const done = new Map<object, unknown>();
  for (const key of Object.keys(info)) {
    const value = info[key];
    info[key] = redactField(key, value, -1, done);
  }
  return info;
});

/**
 * What a process prints when it cannot start (main's last catch, before or without its logger): the
 * error's stack, its causes', redacted as a log line is; a start-up error may quote a connection
 * string or a setting.
 */
export function fatalErrorText(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    parts.push(current instanceof Error ? (current.stack ?? `${current.name}: ${current.message}`) : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return redactText(parts.join('\ncaused by: '));
}
