import busboy from 'busboy';
import type { Request } from 'express';
import { KNOWLEDGE_LIMITS, type Issue } from '@weft/domain';
import { MalformedRequestError } from '../http/http.errors';
import type { IncomingDocument } from './documents.service';
import { documentIssues } from './document-name';
import { uploadInvalid, uploadTooLarge } from './knowledge-api.errors';

export interface UploadLimits {
  maxDocumentBytes: number;
  maxDocumentsPerUpload: number;
  maxUploadBytes: number;
}

/** One file part of a multipart upload, read whole (it is stored as the document's content). */
export interface UploadedPart {
  /** the filename the part carried, as sent */
  filename: string;
  /** the part's Content-Type (the format when the name has no known extension) */
  mimeType: string;
  bytes: Buffer<ArrayBuffer>;
}

export interface MultipartUpload {
  files: UploadedPart[];
  /** the text fields (only `source` is known) */
  fields: Record<string, string>;
}

const MiB = 1024 * 1024;
const sizeText = (bytes: number) => (bytes % MiB === 0 ? `${bytes / MiB} MiB` : `${bytes} bytes`);

const malformed = () => new MalformedRequestError('malformed_request', 'The multipart body is malformed (a part or the closing boundary is broken or missing)');

/** Text fields an upload form may have besides its files. */
const KNOWN_FIELDS = new Set(['source']);

/**
 * Reads a multipart/form-data upload with busboy, as it streams in: a file past maxDocumentBytes,
 * more than maxDocumentsPerUpload files or more than maxUploadBytes in all ends the read at once
 * with 413 upload_too_large (the rest of the body is drained and dropped by Node), so nothing past
 * a limit is held in memory. A malformed form is 400; a form without files, or with fields the
 * upload does not know, is 422 upload_invalid (every problem in details.issues). Nothing is stored
 * here: the caller checks the files and stores them all or none.
 */
export function readMultipartUpload(req: Request, limits: UploadLimits): Promise<MultipartUpload> {
  // A declared length past the limit is refused before a byte is read.
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxUploadBytes + 64 * 1024) return Promise.reject(uploadTooLarge(`${sizeText(limits.maxUploadBytes)} in all`));

  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      defParamCharset: 'utf8',
      limits: {
        fileSize: limits.maxDocumentBytes,
        files: limits.maxDocumentsPerUpload,
        fields: 20,
        fieldSize: 1024,
        parts: limits.maxDocumentsPerUpload + 20,
        headerPairs: 20,
      },
    });
  } catch {
    return Promise.reject(new MalformedRequestError('malformed_request', 'The multipart body has no valid boundary in its Content-Type'));
  }

  return new Promise<MultipartUpload>((resolve, reject) => {
    const files: UploadedPart[] = [];
    const fields: Record<string, string> = {};
    const issues: Issue[] = [];
    let total = 0;
    let settled = false;
    let index = 0;

    const stop = (err: Error) => {
      if (settled) return;
      settled = true;
      req.unpipe(parser);
      parser.removeAllListeners();
      parser.on('error', () => undefined);
      // What the client is still sending is read and dropped (so it gets the answer, not a reset).
      req.resume();
      reject(err);
    };

    parser.on('file', (field, stream, info) => {
      const at = index++;
      const chunks: Buffer[] = [];
      const filename = info.filename ?? '';
      stream.on('data', (chunk: Buffer) => {
        if (settled) return;
        total += chunk.length;
        if (total > limits.maxUploadBytes) return stop(uploadTooLarge(`${sizeText(limits.maxUploadBytes)} in all`));
        chunks.push(chunk);
      });
      // A form cut off inside a file fails the file's stream as well as the parser.
      stream.on('error', () => stop(malformed()));
      stream.on('limit', () => stop(uploadTooLarge(`${sizeText(limits.maxDocumentBytes)} per document ('${filename.slice(0, 100)}')`)));
      stream.on('end', () => {
        if (settled) return;
        if (!filename) {
          issues.push({ code: 'document_name_invalid', message: `the file part '${field.slice(0, 100)}' has no filename`, path: ['files', at] });
          return;
        }
        files.push({ filename, mimeType: info.mimeType, bytes: Buffer.concat(chunks) });
      });
    });
    parser.on('field', (name, value, info) => {
      if (!KNOWN_FIELDS.has(name)) {
        // A part without a filename is a field to busboy: a file sent without its name lands here too.
        const message = `the part '${name.slice(0, 100)}' is neither a file (it has no filename) nor a field of an upload (source)`;
        issues.push({ code: 'upload_field_unknown', message, path: [name.slice(0, 100)] });
        return;
      }
      if (info.valueTruncated) issues.push({ code: 'upload_field_invalid', message: `'${name}' is too long`, path: [name] });
      else fields[name] = value;
    });
    parser.on('filesLimit', () => stop(uploadTooLarge(`${limits.maxDocumentsPerUpload} documents`)));
    parser.on('partsLimit', () => stop(uploadTooLarge(`${limits.maxDocumentsPerUpload} documents`)));
    parser.on('fieldsLimit', () => stop(uploadInvalid([{ code: 'upload_field_unknown', message: 'too many fields', path: [] }])));
    parser.on('error', () => stop(malformed()));
    req.on('error', () => stop(new MalformedRequestError('malformed_request', 'The upload was cut off')));
    parser.on('close', () => {
      if (settled) return;
      settled = true;
      if (!files.length && !issues.length) issues.push({ code: 'upload_empty', message: 'The upload holds no file', path: ['files'] });
      if (issues.length) reject(uploadInvalid(issues));
      else resolve({ files, fields });
    });
    req.pipe(parser);
  });
}

/** An upload's documents, checked: every problem of every document is one 422 issue list. */
export function checkedDocuments(
  items: readonly { raw: string; bytes: Buffer<ArrayBuffer>; mimeType?: string }[],
  kind: 'file' | 'text',
  source: string,
  at: (index: number) => (string | number)[],
): IncomingDocument[] {
  // A JSON text's bound is in characters (the schema's); its UTF-8 may be up to three times longer.
  // Multipart files were bounded as they streamed in. Either way, the worker is never handed one past the limit.
  const big = items.find((item) => item.bytes.length > KNOWLEDGE_LIMITS.maxDocumentBytes);
  if (big) throw uploadTooLarge(`${sizeText(KNOWLEDGE_LIMITS.maxDocumentBytes)} per document ('${big.raw.slice(0, 100)}')`);
  if (items.reduce((n, item) => n + item.bytes.length, 0) > KNOWLEDGE_LIMITS.maxUploadBytes) throw uploadTooLarge(`${sizeText(KNOWLEDGE_LIMITS.maxUploadBytes)} in all`);
  const issues: Issue[] = [];
  const docs: IncomingDocument[] = [];
  items.forEach((item, i) => {
    const { name, format, issues: found } = documentIssues(item.raw, item.bytes.length, at(i), kind, item.mimeType);
    issues.push(...found);
    if (name !== undefined && format !== undefined && !found.length) docs.push({ name, format, bytes: item.bytes, source });
  });
  if (issues.length) throw uploadInvalid(issues);
  return docs;
}
