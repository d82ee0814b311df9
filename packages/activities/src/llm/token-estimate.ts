import type { ChatMessage } from './model-provider.port';

/**
 * A vendor-neutral token estimate: about one token per 4 characters of English text (OpenAI's
 * published rule of thumb), never fewer than one per word or punctuation run, plus a few tokens of
 * framing per chat message. It is used only when an endpoint reports no usage (a stream without a
 * usage chunk, a cancelled stream), so a shipped tokenizer table per model is not worth its weight.
 */
export function estimateTokens(input: string | ChatMessage[]): number {
  if (typeof input !== 'string') {
    const PER_MESSAGE = 4; // role and separators, as in OpenAI's chat format
    return input.reduce((n, m) => n + PER_MESSAGE + estimateTokens(m.content), 3);
  }
  if (!input) return 0;
  const pieces = input.match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]+/gu)?.length ?? 0;
  return Math.max(pieces, Math.ceil(input.length / 4));
}
