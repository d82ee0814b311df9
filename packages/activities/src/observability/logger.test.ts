import { Writable } from 'node:stream';
import winston from 'winston';
import { createLogger } from './logger';

/** A logger at `level` writing parsed lines to `lines`. */
function loggerAt(level: string, lines: Record<string, unknown>[]): winston.Logger {
  const logger = createLogger({ service: 'test', level });
  logger.clear();
  logger.add(
    new winston.transports.Stream({
      stream: new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
          done();
        },
      }),
    }),
  );
  return logger;
}

describe('the level', () => {
  it('drops a line below it before any format reads its metadata, and formats the rest', () => {
    const lines: Record<string, unknown>[] = [];
    const logger = loggerAt('info', lines);
    let reads = 0;
    // Nested: winston copies the top level of the metadata itself; only formats read deeper.
    const meta = () => ({
      nested: {
        get probe() {
          reads += 1;
          return 'value';
        },
      },
    });
    logger.debug('hidden', meta());
    logger.log('silly', 'hidden too', meta());
    expect(reads).toBe(0);
    logger.info('shown', meta());
    expect(reads).toBeGreaterThan(0);
    expect(lines).toEqual([expect.objectContaining({ level: 'info', message: 'shown', nested: { probe: 'value' } })]);
  });

  it('follows a level changed later', () => {
    const lines: Record<string, unknown>[] = [];
    const logger = loggerAt('warn', lines);
    logger.info('before');
    logger.level = 'debug';
    logger.debug('after');
    expect(lines.map((l) => l.message)).toEqual(['after']);
  });
});
