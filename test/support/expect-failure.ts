import { NodeFailure } from '@weft/activities';

/** Awaits a promise that must reject with a NodeFailure, and returns that failure. */
export async function expectNodeFailure(p: Promise<unknown>): Promise<NodeFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NodeFailure);
  return err as NodeFailure;
}
