import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { bundleWorkflows } from '../../apps/worker/src/worker';
import { WORKFLOWS_ENTRY, workflowBundlerOptions } from '../../apps/worker/src/workflow-bundle';

/**
 * The workflow bundle every suite runs, built once and kept on disk under a name that is the hash
 * of what goes into it: webpack takes seconds of CPU, and each Jest test file (its own module
 * registry) would otherwise build the same bundle again. The unit tier's globalSetup, the
 * integration suites and the replay test share it, across files, Jest processes and runs.
 *
 * What goes in: the built workflows and domain packages and the npm dependencies (the lockfile
 * names them). A rebuilt `dist/` with different content is a new key, so a stale bundle is never
 * used.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const DIR = path.join(ROOT, '.run', 'workflow-bundles');
// The workflows and domain code, the failure converter the worker's bundle carries (packages/activities/src/codec) and how the worker bundles (apps/worker).
const INPUTS = [path.join(ROOT, 'packages', 'workflows', 'dist'), path.join(ROOT, 'packages', 'domain', 'dist'), path.join(ROOT, 'packages', 'activities', 'dist', 'codec'), path.join(ROOT, 'apps', 'worker', 'dist')];

/**
 * Which bundle: `worker` is the production worker's (`bundleWorkflows`: the failure converter that
 * encrypts failure messages, README "Encrypted history"), `traced` the same with the tracing
 * interceptors, `plain` the interpreter alone (the unit tier: fake activities, no codec).
 */
export type BundleKind = 'worker' | 'traced' | 'plain';

function build(kind: BundleKind): Promise<WorkflowBundle> {
  // As the worker bundles (the domain shared by every run of the thread): the unit tier's many runs on one worker would show state leaking from one run into another.
  if (kind === 'plain') return bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY, ...workflowBundlerOptions(), logger: quiet as never });
  return bundleWorkflows({ tracing: kind === 'traced' });
}
const quiet = { trace() {}, debug() {}, info() {}, log() {}, warn: console.warn, error: console.error };

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .sort();
}

function inputsHash(kind: BundleKind): string {
  const hash = createHash('sha256').update(kind).update('\0');
  hash.update(fs.readFileSync(path.join(ROOT, 'package-lock.json')));
  for (const file of INPUTS.flatMap((d) => filesUnder(d))) {
    // Declaration and map files do not reach the bundle's code.
    if (!file.endsWith('.js')) continue;
    hash.update(path.relative(ROOT, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 24);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The path of the bundle for today's `dist/`, built if missing. Two processes asking at once (the
 * unit and integration tiers start together) build it once: the first takes a lock file, the
 * other waits for the bundle; a lock left by a crashed process is taken over after two minutes.
 */
export async function workflowBundlePath(kind: BundleKind = 'worker'): Promise<string> {
  fs.mkdirSync(DIR, { recursive: true });
  const file = path.join(DIR, `${kind}-${inputsHash(kind)}.js`);
  const lock = `${file}.lock`;
  for (;;) {
    if (fs.existsSync(file)) return file;
    let fd: number;
    try {
      fd = fs.openSync(lock, 'wx');
    } catch {
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 120_000) fs.rmSync(lock, { force: true });
      await sleep(200);
      continue;
    }
    try {
      const { code } = await build(kind);
      // Written aside and renamed: a reader never sees half a bundle.
      fs.writeFileSync(`${file}.${process.pid}.tmp`, code);
      fs.renameSync(`${file}.${process.pid}.tmp`, file);
      prune(file);
      return file;
    } finally {
      fs.closeSync(fd);
      fs.rmSync(lock, { force: true });
    }
  }
}

/** Bundles of earlier `dist/` contents (6 MB each) are dropped once they are an hour old. */
function prune(keep: string): void {
  for (const name of fs.readdirSync(DIR)) {
    const file = path.join(DIR, name);
    if (file === keep || !name.endsWith('.js')) continue;
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (stat && Date.now() - stat.mtimeMs > 3_600_000) fs.rmSync(file, { force: true });
  }
}

/** The bundle itself, as `Worker.create({ workflowBundle })` and `Worker.runReplayHistory` take it. */
export async function cachedWorkflowBundle(kind: BundleKind = 'worker'): Promise<WorkflowBundle> {
  return { code: fs.readFileSync(await workflowBundlePath(kind), 'utf8') };
}
