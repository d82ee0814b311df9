const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** Parses a DSL duration such as "500ms", "30s", "5m", "24h", "7d" into milliseconds. */
export function parseDuration(text: string): number {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) throw new Error(`'${text}' is not a duration like "500ms", "30s", "5m", "24h" or "7d"`);
  return Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
}

export function isDuration(text: string): boolean {
  return DURATION_PATTERN.test(text.trim());
}
