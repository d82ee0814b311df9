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
// A filter tail (`| upcase`) is allowed so template text can share the same scanner.
const REF_IN_TEXT = new RegExp(`\\{\\{\\s*${REF_BODY}\\s*(?:\\|[^}]*)?\\}\\}`, 'g');
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

/** Every string inside a JSON-like value, with its path, for scanning references. */
export function* walkStrings(
  value: unknown,
  path: (string | number)[] = [],
): Generator<{ text: string; path: (string | number)[] }> {
  if (typeof value === 'string') {
    yield { text: value, path };
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* walkStrings(value[i], [...path, i]);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) yield* walkStrings(v, [...path, k]);
  }
}
