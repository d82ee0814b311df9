/** The most JSON a value may take in one event (outputs of a node or a run); the records keep it whole. */
export const EVENT_VALUE_MAX_BYTES = 16 * 1024;
/** How much of a value too large for an event is shown in its place. */
const PREVIEW_CHARS = 1024;

/** What stands in an event for a value too large to carry: its size and the start of its JSON. */
export interface TruncatedValue {
  bytes: number;
  preview: string;
}

/**
 * A value for an event under `field`, or, when its JSON is larger than `maxBytes`,
 * `<field>Truncated: {bytes, preview}` in its place: a client sees that something is missing and
 * reads the whole value from the run or its node records. A marker field of its own (rather than a
 * marker inside the value) cannot be mistaken for user data.
 */
export function boundedField(field: string, value: unknown, maxBytes = EVENT_VALUE_MAX_BYTES): Record<string, unknown> {
  if (value === undefined) return {};
  const json = JSON.stringify(value) ?? 'null';
  // Characters are a lower bound of bytes: only a long text needs measuring.
  const bytes = json.length * 3 <= maxBytes ? json.length : Buffer.byteLength(json, 'utf8');
  if (bytes <= maxBytes) return { [field]: value };
  const truncated: TruncatedValue = { bytes, preview: cutPreview(json) };
  return { [`${field}Truncated`]: truncated };
}

/** The first characters of a text, never ending inside a surrogate pair. */
function cutPreview(text: string): string {
  let end = Math.min(PREVIEW_CHARS, text.length);
  const last = text.charCodeAt(end - 1);
  if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end);
}
