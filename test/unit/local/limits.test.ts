import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { invoke, type LambdaFunction } from '../../../local/stack/invoke';
import { LIMITS, putEventsEntrySize, sqsMessageSize } from '../../../local/stack/limits';

const MiB = 1024 * 1024;
const never = () => new Promise<never>(() => undefined);

function fn(
  handler: (event: unknown, context: Context) => Promise<unknown>,
  config: Partial<LambdaFunction<unknown>> = {},
): LambdaFunction<unknown> {
  return { name: 'test-function', handler, ...config };
}

afterEach(() => vi.restoreAllMocks());

describe('invoke: Lambda payload limits', () => {
  it('refuses an event of 6 MB or more before the handler runs', async () => {
    // Prepare
    let ran = false;
    const handler = fn(async () => {
      ran = true;
    });
    // Act
    const refused = invoke(handler, { body: 'x'.repeat(LIMITS.lambdaRequestBytes) });
    // Assess
    await expect(refused).rejects.toMatchObject({
      name: 'LambdaInvocationError',
      code: 'RequestEntityTooLargeException',
      retryable: false,
    });
    expect(ran).toBe(false);
  });

  it('fails a 6.1 MB response and returns a 5.9 MB one', async () => {
    // Prepare
    const returning = (bytes: number) => fn(async () => ({ statusCode: 200, body: 'x'.repeat(bytes) }));
    // Act
    const tooLarge = invoke(returning(6.1 * MiB), {});
    const fits = await invoke(returning(5.9 * MiB), {});
    // Assess
    await expect(tooLarge).rejects.toMatchObject({ code: 'Function.ResponseSizeTooLarge' });
    expect(fits).toMatchObject({ statusCode: 200 });
  });

  it('returns the response as Lambda does: its JSON, not the handler objects', async () => {
    // Prepare
    const handler = fn(async () => ({ at: new Date('2026-01-02T03:04:05Z'), skipped: undefined }));
    // Act
    const response = await invoke(handler, {});
    // Assess
    expect(response).toEqual({ at: '2026-01-02T03:04:05.000Z' });
  });
});

describe('invoke: the function timeout and context', () => {
  it('abandons a handler past its timeout with Task timed out', async () => {
    // Prepare
    const hanging = fn(never, { timeoutSeconds: 0.2 });
    // Act
    const result = invoke(hanging, {});
    // Assess
    await expect(result).rejects.toMatchObject({
      code: 'Sandbox.Timedout',
      message: 'test-function: Task timed out after 0.20 seconds',
      retryable: true,
    });
  });

  it('gives the handler a context with the configured memory and the remaining time of its timeout', async () => {
    // Prepare
    const handler = fn(
      async (_event, context) => ({
        memory: context.memoryLimitInMB,
        remaining: context.getRemainingTimeInMillis(),
        name: context.functionName,
      }),
      { timeoutSeconds: 2, memoryMb: 512 },
    );
    // Act
    const seen = await invoke(handler, {});
    // Assess
    expect(seen).toMatchObject({ memory: '512', name: 'test-function' });
    expect((seen as { remaining: number }).remaining).toBeLessThanOrEqual(2000);
  });

  it('wraps a handler error, keeping it as the cause', async () => {
    // Prepare
    const failing = fn(async () => {
      throw new TypeError('boom');
    });
    // Act
    const result = invoke(failing, {});
    // Assess
    await expect(result).rejects.toMatchObject({ code: 'Unhandled', cause: { name: 'TypeError' } });
  });
});

describe('invoke: the around hook', () => {
  it('runs every invocation inside the hook, which knows the function name', async () => {
    // Prepare
    const storage = new AsyncLocalStorage<string>();
    const handler = fn(async () => ({ principal: storage.getStore() }), { name: 'get-order' });
    // Act
    const response = await invoke(handler, {}, { around: (name, run) => storage.run(`role:${name}`, run) });
    // Assess
    expect(response).toEqual({ principal: 'role:get-order' });
  });

  it('lets the hook refuse an invocation as a failure', async () => {
    // Prepare
    const handler = fn(async () => 'never reached');
    // Act
    const result = invoke(handler, {}, { around: async () => Promise.reject(new Error('AccessDenied')) });
    // Assess
    await expect(result).rejects.toMatchObject({ code: 'Unhandled' });
  });
});

describe('invoke: memory', () => {
  const allocating = (memoryMb: number) =>
    fn(
      async () => {
        const held = Buffer.alloc(80 * MiB, 1);
        await new Promise((resolve) => setTimeout(resolve, 60));
        return held.length;
      },
      { memoryMb, name: 'merge-labels' },
    );

  it('reports an invocation that grows past its configured memory', async () => {
    // Prepare
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    // Act
    const response = await invoke(allocating(128), {});
    // Assess
    expect(response).toBe(80 * MiB);
    expect(warn.mock.calls.flat().join(' ')).toMatch(
      /\[lambda merge-labels\] memory: ≈\d+ MB used of 128 MB/,
    );
  });

  it('stays quiet for an invocation within its memory', async () => {
    // Prepare
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    // Act
    await invoke(
      fn(async () => 'small'),
      {},
      { strictMemory: true },
    );
    // Assess
    expect(warn.mock.calls).toEqual([]);
  });

  it('fails it instead with strictMemory', async () => {
    // Prepare
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    // Act
    const result = invoke(allocating(128), {}, { strictMemory: true });
    // Assess
    await expect(result).rejects.toMatchObject({ code: 'Runtime.OutOfMemory' });
  });
});

describe('AWS size rules', () => {
  it('counts an SQS message as its body plus each attribute name, type and value', () => {
    expect(sqsMessageSize('héllo', { trace: { DataType: 'String', StringValue: 'abc' } })).toBe(
      6 + 5 + 6 + 3,
    );
  });

  it('counts a PutEvents entry as EventBridge does: Time 14 bytes, Source, DetailType, Detail, Resources', () => {
    expect(
      putEventsEntrySize({
        Time: 1,
        Source: 'src',
        DetailType: 'Order Accepted',
        Detail: '{"a":1}',
        Resources: ['arn:x'],
      }),
    ).toBe(14 + 3 + 14 + 7 + 5);
  });
});
