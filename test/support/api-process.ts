import path from 'node:path';
import { spawnService, type ServiceProcess } from './service-process';
import { serviceEnv } from './test-env';

const API_MAIN = path.join(__dirname, '..', '..', 'apps', 'api', 'dist', 'main.js');

/** The start-up line, whole (the JSON log's field order aside): it says where the API listens. */
const LISTENING = /^.*(?:"api listening".*"url":"([^"]+)"|"url":"([^"]+)".*"api listening").*\n/m;

export interface ApiProcess extends ServiceProcess {
  /** `http://127.0.0.1:<port>` */
  url: string;
}

/**
 * The production API (apps/api/dist/main.js) in a process of its own on 127.0.0.1:`port` (0: a
 * free one), for suites that signal it (SIGTERM during load) and start it again on the same port.
 */
export async function spawnApi(port: number, taskQueue: string, env: Record<string, string> = {}): Promise<ApiProcess> {
  const proc = await spawnService('api', API_MAIN, {
    ...serviceEnv(taskQueue),
    WEFT_API_HOST: '127.0.0.1',
    WEFT_API_PORT: String(port),
    LOG_LEVEL: 'info',
    ...env,
  }, LISTENING);
  const url = LISTENING.exec(proc.output())?.[1] ?? LISTENING.exec(proc.output())?.[2];
  if (!url) throw new Error(`the API did not say where it listens:\n${proc.output().slice(-2000)}`);
  return Object.assign(proc, { url });
}
