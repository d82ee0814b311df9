import type { DocumentFormat } from '@weft/domain';

/** Messages between the parser pool and a parse thread. */
export interface ParseRequest {
  id: number;
  format: DocumentFormat;
  /** transferred, not copied */
  bytes: Uint8Array;
  maxChars: number;
}

export type ParseReply =
  | { id: number; ok: true; text: string; title?: string }
  | { id: number; ok: false; kind: 'unreadable' | 'too_large'; reason: string; detail?: string };
