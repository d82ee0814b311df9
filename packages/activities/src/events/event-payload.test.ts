import { boundedField } from './event-payload';

describe('boundedField', () => {
  it('carries a value whose JSON fits, and nothing for undefined', () => {
    expect(boundedField('outputs', { text: 'short' })).toEqual({ outputs: { text: 'short' } });
    expect(boundedField('outputs', undefined)).toEqual({});
  });

  it('puts the size and the start of a larger value in a field of its own, counting bytes not characters', () => {
    const big = { text: 'é'.repeat(10_000) }; // 10,000 characters, 20,000 bytes of UTF-8
    const out = boundedField('outputs', big, 16 * 1024);
    expect(out).not.toHaveProperty('outputs');
    expect(out.outputsTruncated).toEqual({ bytes: Buffer.byteLength(JSON.stringify(big)), preview: JSON.stringify(big).slice(0, 1024) });
    expect(boundedField('outputs', { text: 'é'.repeat(5_000) }, 16 * 1024)).toHaveProperty('outputs');
  });

  it('never ends a preview inside a surrogate pair', () => {
    // '"' then pairs: the 1,024th character is the first half of a pair, so the preview stops before it.
    const { outputsTruncated } = boundedField('outputs', '😀'.repeat(5_000), 1024) as { outputsTruncated: { preview: string } };
    expect(outputsTruncated.preview).toBe(JSON.stringify('😀'.repeat(5_000)).slice(0, 1023));
    expect(outputsTruncated.preview.endsWith('😀')).toBe(true);
  });
});
