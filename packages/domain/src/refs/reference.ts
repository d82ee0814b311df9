/**
 * `{{ nodeId.path }}` references inside DSL strings. A string that is exactly one reference keeps
 * the referenced value's type; a reference embedded in text is rendered as text (objects as JSON).
 */
export interface Reference {
  /** the text matched, braces included */
  raw: string;
  nodeId: string;
  path: string[];
}

const SEGMENT = '[A-Za-z_][A-Za-z0-9_]*|\\d+';
const REF_BODY = `(${SEGMENT.split('|')[0]})((?:\\.(?:${SEGMENT}))*)`;
// A filter tail (`| upcase`) is allowed so template text can share the same scanner. It stops at
// any brace: with `[^}]*` a text of many unclosed `{{ a |` took time quadratic in its length.
const REF_IN_TEXT = new RegExp(`\\{\\{\\s*${REF_BODY}\\s*(?:\\|[^{}]*)?\\}\\}`, 'g');
const EXACT_REF = new RegExp(`^\\s*\\{\\{\\s*${REF_BODY}\\s*\\}\\}\\s*$`);

function toReference(raw: string, head: string, tail: string): Reference {
  return { raw, nodeId: head, path: tail ? tail.slice(1).split('.') : [] };
}

/** Every reference in a string, in order of appearance. */
export function findReferences(text: string): Reference[] {
  const found: Reference[] = [];
  for (const m of text.matchAll(REF_IN_TEXT)) found.push(toReference(m[0], m[1]!, m[2] ?? ''));
  return found;
}

/** The reference when the whole string is one reference, else undefined. */
export function exactReference(text: string): Reference | undefined {
  const m = EXACT_REF.exec(text);
  return m ? toReference(m[0], m[1]!, m[2] ?? '') : undefined;
}

/** Where a walk is: a chain back to its start, turned into a path only when asked for. */
interface Trail {
  parent?: Trail;
  key?: string | number;
  base: (string | number)[];
}

function pathOf(trail: Trail): (string | number)[] {
  const keys: (string | number)[] = [];
  let t: Trail | undefined = trail;
  for (; t?.parent; t = t.parent) keys.push(t.key!);
  return [...trail.base, ...keys.reverse()];
}

/**
 * Every string inside a JSON-like value, with its path (computed when read: most strings hold no
 * reference and nobody asks), for scanning references. Iterative, in document order, so no
 * nesting depth can overflow the stack.
 */
export function* walkStrings(
  value: unknown,
  path: (string | number)[] = [],
): Generator<{ text: string; readonly path: (string | number)[] }> {
  const stack: [unknown, Trail][] = [[value, { base: path }]];
  while (stack.length) {
    const [v, trail] = stack.pop()!;
    if (typeof v === 'string') {
      yield { text: v, get path() { return pathOf(trail); } };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], { parent: trail, key: i, base: trail.base }]);
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) stack.push([(v as Record<string, unknown>)[keys[i]!], { parent: trail, key: keys[i]!, base: trail.base }]);
    }
  }
}
