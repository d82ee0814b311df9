import { newQuickJSWASMModule, newVariant, RELEASE_SYNC, type QuickJSWASMModule } from 'quickjs-emscripten';

// The project compiles without the DOM library, which is where TypeScript declares WebAssembly.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}
declare const WebAssembly: { Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory };

const PAGE = 64 * 1024;
/** The engine build's own minimum: its module declares 16 MiB of initial memory. */
const INITIAL_BYTES = 16 * 1024 * 1024;
/**
 * What a fresh engine uses before any user code runs (its stack, static data, runtime and the
 * prelude): measured at about 6 MiB, so this much is given on top of the configured limit.
 */
export const ENGINE_BASELINE_BYTES = 8 * 1024 * 1024;

/**
 * The linear memory of one engine instance, which cannot grow past `capBytes`, and which
 * remembers whether the engine asked for more than that.
 *
 * Why not QuickJS's own memory limit: in WebAssembly builds QuickJS cannot ask the allocator for
 * the size of a block (`malloc_usable_size` is compiled out for Emscripten), so its limit counts
 * 8 bytes per block whatever the block's size and only stops single allocations larger than the
 * limit; a loop of ordinary allocations grew the heap to gigabytes and ended in a timeout
 * (justjake/quickjs-emscripten#271, #255). A memory with a maximum makes every allocation past
 * the cap fail inside the engine, which QuickJS reports as out of memory.
 */
export class EngineMemory {
  readonly memory: WasmMemory;
  private refusals = 0;

  constructor(readonly capBytes: number) {
    this.memory = new WebAssembly.Memory({ initial: INITIAL_BYTES / PAGE, maximum: Math.ceil(capBytes / PAGE) });
    const grow = this.memory.grow.bind(this.memory);
    // Emscripten's heap resize calls grow() on this object and treats a throw as "no memory".
    this.memory.grow = (delta: number) => {
      try {
        return grow(delta);
      } catch (err) {
        this.refusals += 1;
        throw err;
      }
    };
  }

  /** Whether the engine asked for memory past the cap at least once. */
  get exhausted(): boolean {
    return this.refusals > 0;
  }
}

/** The cap of the engine's memory for a configured limit of the QuickJS heap. */
export function engineCapBytes(memoryLimitBytes: number): number {
  return Math.max(INITIAL_BYTES, memoryLimitBytes + ENGINE_BASELINE_BYTES);
}

export interface EngineInstance {
  module: QuickJSWASMModule;
  memory: EngineMemory;
}

function prepare(capBytes: number): { capBytes: number; instance: Promise<EngineInstance> } {
  const memory = new EngineMemory(capBytes);
  const instance = newQuickJSWASMModule(newVariant(RELEASE_SYNC, { wasmMemory: memory.memory })).then((module) => ({ module, memory }));
  // A failure is seen by whoever takes this instance; an unused one must not be an unhandled rejection.
  instance.catch(() => undefined);
  return { capBytes, instance };
}

let next: ReturnType<typeof prepare> | undefined;

/**
 * A fresh engine instance with its own capped memory: nothing one execution leaves behind (or
 * corrupts, or traps out of) is seen by the next. The next instance is prepared ahead of time so
 * that its few milliseconds stay out of an execution's wall time.
 */
export function freshEngine(memoryLimitBytes: number): Promise<EngineInstance> {
  const capBytes = engineCapBytes(memoryLimitBytes);
  const taken = next && next.capBytes === capBytes ? next : prepare(capBytes);
  next = prepare(capBytes);
  return taken.instance;
}
