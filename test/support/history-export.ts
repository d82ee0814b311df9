import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { testEnv } from './test-env';

export const TEMPORAL_CLI = path.join(__dirname, '..', '..', '.tools', 'bin', 'temporal');

export interface ExportOptions {
  runId?: string;
  /**
   * A codec endpoint for the CLI to decode payloads with (`--codec-endpoint`, `--codec-auth`), as an
   * operator would; absent: the history as Temporal stores it (ciphertext).
   */
  codec?: { url: string; token: string };
}

/**
 * A workflow's history as `temporal workflow show --output json` prints it. Asynchronous on
 * purpose: with `codec`, the CLI calls back into the API of this very process.
 */
export async function exportHistory(workflowId: string, options: ExportOptions = {}): Promise<string> {
  const args = ['workflow', 'show', '--address', testEnv.temporalAddress, '-w', workflowId, '--output', 'json'];
  if (options.runId) args.push('-r', options.runId);
  if (options.codec) args.push('--codec-endpoint', options.codec.url, '--codec-auth', `Bearer ${options.codec.token}`);
  const { stdout } = await promisify(execFile)(TEMPORAL_CLI, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  return stdout;
}

/** The harness's codec endpoint with its operator token: histories exported through it are clear text (committed replay histories are). */
export const harnessCodec = (apiUrl: string) => ({ url: `${apiUrl}/codec`, token: testEnv.codecToken });
