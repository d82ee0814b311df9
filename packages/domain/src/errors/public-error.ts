/**
 * What an error may show to a tenant. Messages that reach the API come from our code, but also from
 * libraries (Prisma, pg, the Temporal SDK, Node) whose text carries internals: source excerpts,
 * absolute paths, stack frames, SQL, constraint names, connection strings. The full text belongs in
 * the logs (under a reference id); the client gets a code and plain words.
 */
import { isErrorCode } from './catalogue/catalogue';

export interface PublicError {
  code: string;
  message: string;
  nodeId?: string;
}

const DEFAULT_FALLBACK = 'Something went wrong on our side';
const MAX_MESSAGE_CHARS = 1_000;
/** Only the head of a huge message is read: what matters is at its start, and the patterns stay cheap. */
const MAX_INPUT_CHARS = 16_000;
const NODE_ID = /^[A-Za-z_][A-Za-z0-9_]{0,199}$/;

/** "(reference ref_…)" ids tie a client's message to the log lines: always kept. */
const REFERENCE = /\(reference [A-Za-z0-9_.:-]{1,100}\)/g;

/** Text without any of these has nothing to remove: the common case costs one scan. */
const SUSPICIOUS = /[/\\`=\n\r"@]|node:|_(?:fkey|pkey|key|idx|index|check|excl|unique)\b|\b(?:SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|ALTER|DROP)\b/;

/** Lines that are internals as a whole. */
const STACK_FRAME = /^\s*at\s+(?:async\s+)?\S/;
const PRISMA_INVOCATION = /Invalid\s+`?[\w$.]+\(\)`?\s+invocation/;
/** A source excerpt as Prisma prints it: "  12   code", "→ 13   code". */
const SOURCE_EXCERPT = /^\s*(?:→\s*)?\d+\s/;

/** Fragments that are internals inside an otherwise plain line. */
const REPLACEMENTS: [RegExp, string][] = [
  // connection strings and URLs with credentials
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s/@'"`]+@[^\s'"`]*/gi, '[redacted]'],
  // environment-like KEY=value
  [/\b[A-Z][A-Z0-9_]{2,}=[^\s'"`]*/g, '[redacted]'],
  // SQL statements (generated SQL is upper case; plain English "select … from" is not touched)
  [/\b(?:SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|ALTER|DROP)\b[^\n]*?\b(?:FROM|INTO|SET|WHERE|VALUES|RETURNING|TABLE|AS)\b[^\n]*/g, '[query]'],
  // quoted schema-qualified identifiers: "public"."runs"
  [/"\w+"(?:\."\w+")+/g, ''],
  // anything under node_modules, node's own modules
  [/(?<![^\s'"`()])[^\s'"`()]*node_modules[^\s'"`()]*/g, '[path]'],
  [/\bnode:(?:internal\/)?[\w/.-]+(?::\d+){0,2}/g, '[path]'],
  // absolute paths: Windows drives, file URLs, and POSIX paths that name a source file or a system root
  [/\b[A-Za-z]:\\[^\s'"`()]+/g, '[path]'],
  [/file:\/\/[^\s'"`()]+/g, '[path]'],
  [/(?<![\w:/.])\/(?:[\w.@+-]+\/)+[\w.@+-]+\.(?:[cm]?[jt]sx?|json|node|map|prisma|py|sql|wasm|so)(?::\d+){0,2}/g, '[path]'],
  [/(?<![\w:/.])\/(?:home|work|usr|opt|var|tmp|app|srv|root|etc|proc|mnt|Users|snapshot)(?:\/[\w.@+-]+)+(?::\d+){0,2}/g, '[path]'],
  // Prisma client calls, constraint names with what introduces them
  [/`?\bprisma\.[\w$]+\.[\w$]+\(\)`?/g, ''],
  [/\s*(?:on\s+)?(?:the\s+)?(?:constraint|index|foreign key)?:?\s*[`"']\w+_(?:fkey|pkey|key|idx|index|check|excl|unique)[`"']/gi, ''],
  [/\b\w+_(?:fkey|pkey|idx)\b/g, ''],
  [/\s*\b(?:on\s+)?(?:table|relation|column)\s+"[^"]*"/gi, ''],
  [/\s*\bon the fields?:?\s*\([^)]*\)/gi, ''],
  // Prisma names columns and types in backticks: "for the type: `version`", "Column: `name`"
  [/\s*\b(?:for the type|columns?|fields?|model|table|argument|relation)\s*:?\s*\(?`[^`\n]{0,200}`(?:\s*,\s*`[^`\n]{0,200}`)*\)?/gi, ''],
];

/**
 * The message with everything that looks like internals removed; plain words and any
 * "(reference …)" id are kept. When nothing meaningful is left, `fallback` (plus the reference).
 */
export function sanitizeErrorMessage(message: string, fallback: string = DEFAULT_FALLBACK): string {
  const text = typeof message === 'string' ? message.slice(0, MAX_INPUT_CHARS) : '';
  if (text.trim() && text.length <= MAX_MESSAGE_CHARS && !SUSPICIOUS.test(text)) return text;
  const references = text.match(REFERENCE) ?? [];
  const shielded = text.replace(REFERENCE, ' ');
  const lines = shielded.split(/\r?\n/);
  const prismaCall = lines.some((l) => PRISMA_INVOCATION.test(l));
  const kept: string[] = [];
  for (const line of lines) {
    if (STACK_FRAME.test(line) || PRISMA_INVOCATION.test(line)) continue;
    if (prismaCall && SOURCE_EXCERPT.test(line)) continue;
    let clean = line.replace(/[ \t\f\v]+/g, ' ');
    for (const [pattern, replacement] of REPLACEMENTS) clean = clean.replace(pattern, replacement);
    clean = clean.replace(/\s+/g, ' ').replace(/\s+([,.;:])/g, '$1').trim();
    // a line that is nothing but replaced fragments and punctuation says nothing
    if (/[A-Za-z]{2,}/.test(clean.replace(/\[(?:path|query|redacted)\]/g, ''))) kept.push(clean.replace(/[\s:,;]+$/, ''));
  }
  let out = kept.join(' ').trim();
  if (out.length > MAX_MESSAGE_CHARS) out = `${out.slice(0, MAX_MESSAGE_CHARS - 1)}…`;
  if (!out) out = fallback;
  const missing = references.filter((r) => !out.includes(r));
  return missing.length ? `${out} ${missing.join(' ')}` : out;
}

/**
 * The public form of an error of any shape: a stored run or node error `{code, message, nodeId?}`,
 * an Error (a DomainError's `code`, a Temporal failure's `type`), or a string. Codes that are not
 * in the error catalogue (Prisma's P2003, ECONNREFUSED, …) become `internal_error`. null for no error.
 */
export function toPublicError(error: unknown): PublicError | null {
  if (error === null || error === undefined) return null;
  if (typeof error === 'string') return { code: 'internal_error', message: sanitizeErrorMessage(error) };
  if (typeof error !== 'object') return { code: 'internal_error', message: DEFAULT_FALLBACK };
  const e = error as { code?: unknown; type?: unknown; message?: unknown; nodeId?: unknown };
  const given = typeof e.code === 'string' ? e.code : typeof e.type === 'string' ? e.type : undefined;
  const code = isErrorCode(given) ? given : 'internal_error';
  const message = typeof e.message === 'string' ? sanitizeErrorMessage(e.message) : DEFAULT_FALLBACK;
  return typeof e.nodeId === 'string' && NODE_ID.test(e.nodeId) ? { code, message, nodeId: e.nodeId } : { code, message };
}
