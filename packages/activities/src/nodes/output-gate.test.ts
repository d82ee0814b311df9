import { NodeFailure } from '../errors/node-failure';
import { gateOutputs } from './output-gate';

const nest = (levels: number) => {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
};

describe('gateOutputs', () => {
  it('replaces what PostgreSQL cannot store with U+FFFD, in strings and keys, and leaves the rest alone', () => {
    const out = gateOutputs({ a: 'x\u0000y', b: ['\ud800', 'ok \ud83d\ude00', '\udc00z'], ['k\u0000']: { n: 1 } }, 64);
    expect(out).toEqual({ a: 'x\ufffdy', b: ['\ufffd', 'ok \ud83d\ude00', '\ufffdz'], ['k\ufffd']: { n: 1 } });
    const clean = { a: 'plain', b: [1, { c: null }] };
    expect(gateOutputs(clean, 64)).toBe(clean);
  });

  it('fails a value nested deeper than the limit with node_output_too_deep, however deep, without walking it recursively', () => {
    // {deep: …} is one level, so the limit of 64 allows 63 more.
    expect(gateOutputs({ deep: nest(63) }, 64)).toEqual({ deep: nest(63) });
    const prepare = jest.fn((o: Record<string, unknown>) => o);
    for (const levels of [64, 200, 200_000]) {
      let err: unknown;
      try {
        gateOutputs({ deep: nest(levels) }, 64, prepare);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(NodeFailure);
      expect(err).toMatchObject({ code: 'node_output_too_deep', retryable: false, message: "The node's outputs are nested more than 64 levels deep" });
    }
    expect(prepare).not.toHaveBeenCalled();
  });

  it('drops __proto__ keys before measuring, so they cannot hide depth', () => {
    const withProto = JSON.parse(`{"__proto__": {"x": 1}, "deep": ${JSON.stringify(nest(100))}}`) as Record<string, unknown>;
    expect(() => gateOutputs(withProto, 64)).toThrow(expect.objectContaining({ code: 'node_output_too_deep' }));
    expect(Object.keys(gateOutputs(JSON.parse('{"__proto__": {"x": 1}, "a": 1}') as Record<string, unknown>, 64))).toEqual(['a']);
  });
});
