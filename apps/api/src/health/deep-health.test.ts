import { shared } from './deep-health';

/** The health routes answer anyone: however callers loop, a check runs at most once per freshness window. */
describe('shared health checks', () => {
  const counting = () => {
    let runs = 0;
    const release: (() => void)[] = [];
    const check = () => {
      runs += 1;
      return new Promise<number>((resolve) => release.push(() => resolve(runs)));
    };
    return { check, release, runs: () => runs };
  };

  it('lets concurrent callers share the check in flight', async () => {
    const c = counting();
    const get = shared(c.check);
    const answers = Promise.all(Array.from({ length: 100 }, () => get()));
    c.release.forEach((r) => r());
    expect(await answers).toEqual(Array(100).fill(1));
    expect(c.runs()).toBe(1);
  });

  it('answers a report finished within freshMs again, and checks anew after it', async () => {
    let clock = 0;
    const c = counting();
    const get = shared(c.check, 1_000, () => clock);
    const first = get();
    c.release.shift()!();
    expect(await first).toBe(1);
    // A loop of callers right after: no new check.
    for (let i = 0; i < 50; i++) {
      clock += 10;
      expect(await get()).toBe(1);
    }
    expect(c.runs()).toBe(1);
    clock = 1_000;
    const next = get();
    c.release.shift()!();
    expect(await next).toBe(2);
  });

  it('keeps nothing from a check that failed', async () => {
    let fail = true;
    const get = shared(async () => {
      if (fail) throw new Error('down');
      return 'ok';
    }, 1_000, () => 0);
    await expect(get()).rejects.toThrow('down');
    fail = false;
    expect(await get()).toBe('ok');
  });
});
