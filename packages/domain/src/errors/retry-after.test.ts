import { parseRetryAfter } from './retry-after';

const now = Date.parse('2026-11-25T10:00:00Z');
const opts = { now, capMs: 600_000 };

describe('parseRetryAfter', () => {
  it('reads delta-seconds, fractions included', () => {
    expect(parseRetryAfter({ retryAfter: '2' }, opts)).toBe(2_000);
    expect(parseRetryAfter({ retryAfter: ' 1.5 ' }, opts)).toBe(1_500);
  });

  it('reads an HTTP date relative to now', () => {
    expect(parseRetryAfter({ retryAfter: 'Wed, 25 Nov 2026 10:00:05 GMT' }, opts)).toBe(5_000);
  });

  it("prefers OpenAI's retry-after-ms to Retry-After", () => {
    expect(parseRetryAfter({ retryAfterMs: '750', retryAfter: '2' }, opts)).toBe(750);
    expect(parseRetryAfter({ retryAfterMs: '12.4' }, opts)).toBe(12);
    expect(parseRetryAfter({ retryAfterMs: 'soon', retryAfter: '2' }, opts)).toBe(2_000);
  });

  it('caps long waits', () => {
    expect(parseRetryAfter({ retryAfter: '86400' }, opts)).toBe(600_000);
    expect(parseRetryAfter({ retryAfterMs: '99999999' }, { now, capMs: 1_500 })).toBe(1_500);
  });

  it('answers undefined for absent, junk, zero, negative and past values (the retry policy then decides)', () => {
    for (const headers of [{}, { retryAfter: null }, { retryAfter: '' }, { retryAfter: 'soon' }, { retryAfter: '0' }, { retryAfter: '-3' }, { retryAfter: '0x10' },
      { retryAfterMs: '0' }, { retryAfterMs: '-5' }, { retryAfter: 'Wed, 25 Nov 2026 09:59:00 GMT' }]) {
      expect(parseRetryAfter(headers, opts)).toBeUndefined();
    }
  });
});
