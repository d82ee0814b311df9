/** An input a workflow declares (weft/v1 `inputs`): what the run form asks for. */
export interface InputDeclaration {
  type: 'string' | 'number' | 'boolean' | 'object' | 'array';
  required?: boolean;
  default?: unknown;
  description?: string;
}

const TYPES = new Set(['string', 'number', 'boolean', 'object', 'array']);

/** The declared inputs of a graph, in their order; anything malformed is left out (the validator reports it). */
export function declaredInputs(graph: unknown): [string, InputDeclaration][] {
  const inputs = (graph as { inputs?: unknown } | null)?.inputs;
  if (!inputs || typeof inputs !== 'object' || Array.isArray(inputs)) return [];
  return Object.entries(inputs as Record<string, unknown>).filter(
    (e): e is [string, InputDeclaration] => !!e[1] && typeof e[1] === 'object' && TYPES.has((e[1] as { type?: unknown }).type as string),
  );
}

/** What a field holds while it is edited: text for text, number and JSON fields; a flag for a checkbox. */
export type FieldValue = string | boolean;

export function initialValue(d: InputDeclaration): FieldValue {
  if (d.type === 'boolean') return d.default === true;
  if (d.default === undefined) return d.type === 'object' ? (d.required ? '{}' : '') : d.type === 'array' ? (d.required ? '[]' : '') : '';
  return d.type === 'string' ? String(d.default) : d.type === 'number' ? String(d.default) : JSON.stringify(d.default, null, 2);
}

/** The run's inputs from the fields, or each field's problem. Empty optional fields are left out (their defaults apply). */
export function collectInputs(declared: [string, InputDeclaration][], values: Record<string, FieldValue>): { inputs: Record<string, unknown> } | { problems: Record<string, string> } {
  const inputs: Record<string, unknown> = {};
  const problems: Record<string, string> = {};
  for (const [name, d] of declared) {
    const raw = values[name] ?? initialValue(d);
    if (d.type === 'boolean') {
      inputs[name] = raw === true;
      continue;
    }
    const text = String(raw);
    if (text.trim() === '') {
      if (d.required) problems[name] = 'Required.';
      continue;
    }
    if (d.type === 'string') inputs[name] = text;
    else if (d.type === 'number') {
      const n = Number(text);
      if (Number.isFinite(n)) inputs[name] = n;
      else problems[name] = 'Must be a number.';
    } else {
      try {
        const v: unknown = JSON.parse(text);
        const ok = d.type === 'array' ? Array.isArray(v) : typeof v === 'object' && v !== null && !Array.isArray(v);
        if (ok) inputs[name] = v;
        else problems[name] = d.type === 'array' ? 'Must be a JSON array, like [1, 2].' : 'Must be a JSON object, like {"key": "value"}.';
      } catch {
        problems[name] = 'This is not valid JSON.';
      }
    }
  }
  return Object.keys(problems).length ? { problems } : { inputs };
}
