import { AsyncLocalStorage } from 'node:async_hooks';
import winston from 'winston';

/** Per-request (or per-activity) facts that every log line written inside it carries. */
export const logContext = new AsyncLocalStorage<Record<string, string>>();

const withContext = winston.format((info) => Object.assign(info, logContext.getStore() ?? {}));

export type Logger = winston.Logger;

/** JSON lines on stdout, one logger per process, tagged with the service name. */
export function createLogger(options: { service: string; level?: string; silent?: boolean }): Logger {
  return winston.createLogger({
    level: options.level ?? 'info',
    silent: options.silent ?? false,
    defaultMeta: { service: options.service },
    format: winston.format.combine(withContext(), winston.format.timestamp(), winston.format.errors({ stack: true }), winston.format.json()),
    transports: [new winston.transports.Console()],
  });
}
