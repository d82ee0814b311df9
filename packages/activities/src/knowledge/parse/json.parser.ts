import { BoundedText, DocumentProblem, detailOf, type RawDocument } from './document-problem';
import { decodeText } from './text-decode';

/** Nesting shown as key paths; anything deeper is shown as compact JSON on its parent's line. */
const MAX_DEPTH = 12;
/** Characters of compact JSON shown for a value past MAX_DEPTH. */
const DEEP_VALUE_CHARS = 2000;

/**
 * JSON as one line per value, `path: value` (`users[0].name: Ada`), so a value is found with the
 * keys that say what it is. The walk uses an explicit stack: a hostile nesting depth costs memory
 * in proportion to its size and never the thread's call stack.
 */
export function parseJson(bytes: Uint8Array, maxChars: number): RawDocument {
  let value: unknown;
  try {
    value = JSON.parse(decodeText(bytes));
  } catch (err) {
    if (err instanceof DocumentProblem) throw err;
    throw new DocumentProblem('unreadable', `it is not valid JSON${positionOf(err)}`, detailOf(err));
  }
  const out = new BoundedText(maxChars);
  const stack: Array<{ path: string; value: unknown; depth: number }> = [{ path: '', value, depth: 0 }];
  while (stack.length > 0) {
    const { path, value: v, depth } = stack.pop()!;
    if (v !== null && typeof v === 'object') {
      if (depth >= MAX_DEPTH) {
        out.push(`${path}: ${compact(v)}\n`);
        continue;
      }
      const entries: Array<[string, unknown]> = Array.isArray(v) ? v.map((item, i) => [`${path}[${i}]`, item]) : Object.entries(v).map(([k, item]) => [joinKey(path, k), item]);
      // Pushed in reverse so they are printed in document order.
      for (let i = entries.length - 1; i >= 0; i--) stack.push({ path: entries[i]![0], value: entries[i]![1], depth: depth + 1 });
      continue;
    }
    if (v === null || v === '') continue;
    out.push(path ? `${path}: ${String(v)}\n` : `${String(v)}\n`);
  }
  return { text: out.toString() };
}

function joinKey(path: string, key: string): string {
  const plain = /^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(key);
  if (plain) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

function compact(v: unknown): string {
  try {
    const s = JSON.stringify(v);
    return s.length > DEEP_VALUE_CHARS ? `${s.slice(0, DEEP_VALUE_CHARS)}…` : s;
  } catch {
    // Too deep for JSON.stringify's recursion: the value stays unshown rather than failing the document.
    return '…';
  }
}

function positionOf(err: unknown): string {
  const m = err instanceof Error ? /position (\d+)/.exec(err.message) : null;
  return m ? ` (error at character ${m[1]})` : '';
}
