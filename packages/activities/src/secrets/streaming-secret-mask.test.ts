import { scrub } from './secrets.store';
import { StreamingSecretMask } from './streaming-secret-mask';

/** Streams `pieces` through a mask; returns what each push let out, then the end. */
function stream(secrets: string[], pieces: string[]): string[] {
  const mask = new StreamingSecretMask(secrets);
  return [...pieces.map((p) => mask.push(p)), mask.end()];
}

describe('StreamingSecretMask', () => {
  it('masks a secret split across two pieces, and no piece carries a part of it', () => {
    const out = stream(['sk-SECRET-42'], ['the key is sk-SEC', 'RET-42, keep it']);
    expect(out.join('')).toBe('the key is [secret], keep it');
    for (const piece of out) expect(piece).not.toMatch(/sk-|SEC|RET-42/);
  });

  it('masks a secret streamed one character at a time', () => {
    const secret = 'p@ss-w0rd!';
    const text = `a ${secret} b ${secret}${secret} c`;
    const out = stream([secret], [...text]);
    expect(out.join('')).toBe('a [secret] b [secret][secret] c');
    expect(out.some((p) => p.includes('w0rd'))).toBe(false);
  });

  it('holds back only as much as the longest secret minus one', () => {
    const mask = new StreamingSecretMask(['abcd', 'xy']);
    expect(mask.push('hello world')).toBe('hello wo');
    expect(mask.push('!')).toBe('r');
    expect(mask.end()).toBe('ld!');
  });

  it('lets a text that only starts like a secret through once it cannot be one', () => {
    expect(stream(['secret-value'], ['a secret-val', 'ue? no: secret-valeu']).join('')).toBe('a [secret]? no: secret-valeu');
  });

  it('agrees with scrub on overlapping and nested secrets', () => {
    const secrets = ['token', 'token-long', 'ken-l'];
    const text = 'x token-long y token z ken-long';
    const whole = stream(secrets, [text]).join('');
    expect(whole).toBe(scrub(text, ['token-long', 'token', 'ken-l']));
    // Whatever the split, the result is the same.
    for (let i = 1; i < text.length; i++) expect(stream(secrets, [text.slice(0, i), text.slice(i)]).join('')).toBe(whole);
  });

  it('passes text through untouched when there are no secrets (and ignores empty ones)', () => {
    expect(stream([], ['a', 'b'])).toEqual(['a', 'b', '']);
    expect(stream([''], ['a', 'b'])).toEqual(['a', 'b', '']);
  });
});
