/** Messages between the activity worker and a sandbox child process (code-sandbox.child.ts). */

/** The limits one execution runs under; all enforced inside the child, the wall time also outside. */
export interface SandboxLimits {
  timeoutMs: number;
  memoryLimitBytes: number;
  maxStackBytes: number;
  maxOutputBytes: number;
  maxLogBytes: number;
}

export interface RunRequest {
  type: 'run';
  id: number;
  code: string;
  /** the inputs as JSON text: parsed inside the VM, never handed over as host objects */
  inputsJson: string;
  limits: SandboxLimits;
}

/** Stable error codes of a failed execution (the error catalogue marks each non-retryable). */
export type SandboxErrorCode =
  | 'code_syntax_error'
  | 'code_runtime_error'
  | 'code_main_missing'
  | 'code_timeout'
  | 'code_memory_limit'
  | 'code_output_too_large'
  | 'code_output_invalid';

export type RunReply =
  | { type: 'result'; id: number; ok: true; outputJson: string; logs: string[] }
  | { type: 'result'; id: number; ok: false; code: SandboxErrorCode; message: string; logs: string[] };

export type ChildMessage = { type: 'ready' } | RunReply;
