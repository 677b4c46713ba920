import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import * as z from 'zod';

const ReadyLine = z.object({ ready: z.literal(true) }).loose();

export interface Child<T> {
  readonly process: ChildProcess;
  /** What the child printed once ready. */
  readonly ready: T;
  /** SIGKILL, as a crash: nothing is flushed or closed. Resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM, and waits for the clean stop. */
  stop(): Promise<void>;
}

/**
 * Runs a TypeScript entry script in its own Node process (`node --import tsx`, so a signal reaches the process
 * that holds the state, not a wrapper) and waits for its `{"ready":true,…}` line on stdout: the tests' stacks
 * killed mid-batch, the benchmark's emulators and batch worker.
 */
export async function startChild<T>(
  script: string,
  options: {
    readonly args?: readonly string[];
    readonly env?: Readonly<Record<string, string>>;
    readonly schema: z.ZodType<T>;
    readonly timeoutMs?: number;
    /** An IPC channel as well (`child.process.send`, `'message'`), as `fork` would open. */
    readonly ipc?: boolean;
  },
): Promise<Child<T>> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...(options.args ?? [])], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...options.env },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const { stdout, stderr } = child;
  if (!stdout || !stderr) throw new Error(`${script}: no stdout/stderr pipes`);
  // The child's errors reach the test's output; Powertools' notice that a function published no metric does not.
  createInterface({ input: stderr }).on('line', (line) => {
    if (!line.startsWith('No application metrics to publish')) process.stderr.write(`${line}\n`);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} not ready in ${options.timeoutMs ?? 30_000} ms`)),
      options.timeoutMs ?? 30_000,
    );
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
    const lines = createInterface({ input: stdout });
    lines.on('line', (line) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        return;
      }
      if (!ReadyLine.safeParse(parsed).success) return;
      clearTimeout(timer);
      resolve(options.schema.parse(parsed));
    });
  });
  return {
    process: child,
    ready,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
