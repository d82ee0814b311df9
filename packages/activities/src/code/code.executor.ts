import { codeDataSchema } from '@weft/domain';
import { NodeFailure } from '../errors/node-failure';
import type { NodeExecutor } from '../nodes/node-activities';
import { CodeSandbox, type CodeSandboxOptions } from './code-sandbox';

export type CodeExecutor = NodeExecutor & {
  readonly sandbox: CodeSandbox;
  /** kills the sandbox processes; call it when the worker shuts down */
  close(): Promise<void>;
};

/**
 * The `code` node: `main(inputs)` of its JavaScript, run in the QuickJS sandbox. Its outputs are
 * the object main returns. Console output is kept by the sandbox but not put into the outputs
 * (they belong to main) nor into logs (inputs may hold resolved secrets).
 */
export function createCodeExecutor(options: CodeSandboxOptions = {}): CodeExecutor {
  const sandbox = new CodeSandbox(options);
  const execute: NodeExecutor = async (input, signal) => {
    const parsed = codeDataSchema.safeParse(input.config);
    if (!parsed.success) {
      throw new NodeFailure('code_config_invalid', `invalid code node config: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    }
    const { outputs } = await sandbox.run({ code: parsed.data.code, inputs: parsed.data.inputs }, signal);
    return outputs;
  };
  return Object.assign(execute, { sandbox, close: () => sandbox.close() });
}
