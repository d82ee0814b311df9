import { formatOf } from '@weft/activities';
import type { Issue, DocumentFormat } from '@weft/domain';

/** Formats a JSON text document may have (pdf and docx are binary: they come as files). */
const TEXT_FORMATS: readonly DocumentFormat[] = ['txt', 'md', 'html', 'json', 'csv'];

/** A text document's format: the one its name says when it is a text format, else plain text. */
export function formatOfText(name: string): DocumentFormat | undefined {
  const format = formatOf(name);
  if (format === null) return 'txt';
  return TEXT_FORMATS.includes(format) ? format : undefined;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The name a document is listed as: the last path segment of what the client sent (browsers and
 * curl send bare names, some tools a path), trimmed. Undefined when nothing storable is left.
 */
export function documentNameOf(raw: string): string | undefined {
  const name = raw.split(/[/\\]/).pop()!.trim();
  // Control characters (NUL is also what PostgreSQL cannot store) and unpaired surrogates.
  if (!name || name.length > 255 || [...name].some((c) => c <= '\u001f' || c === '\u007f') || LONE_SURROGATE.test(name)) return undefined;
  if (name === '.' || name === '..') return undefined;
  return name;
}

/** The problems of one document of an upload, by its position (`path`). */
export function documentIssues(
  raw: string,
  size: number,
  path: (string | number)[],
  kind: 'file' | 'text',
  mimeType?: string,
): { name?: string; format?: DocumentFormat; issues: Issue[] } {
  const name = documentNameOf(raw);
  if (name === undefined) {
    return { issues: [{ code: 'document_name_invalid', message: 'A document needs a name of 1 to 255 characters without control characters or path separators alone', path }] };
  }
  const format = kind === 'file' ? (formatOf(name, mimeType) ?? undefined) : formatOfText(name);
  const issues: Issue[] = [];
  if (format === undefined) {
    const message =
      kind === 'file'
        ? `'${name}' is not a supported format (txt, md, html, json, csv, pdf, docx)`
        : `'${name}' names a binary format: send pdf and docx as files (multipart), text as txt, md, html, json or csv`;
    issues.push({ code: 'document_unsupported', message, path });
  }
  if (size === 0) issues.push({ code: 'document_empty', message: `'${name}' is empty`, path });
  return { name, format, issues };
}
