import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it, vi } from 'vitest';
import { observability } from '../../../shared/observability';

describe('Metrics notices', () => {
  it('says nothing when an invocation counted nothing, and puts its other notices in the function’s log', () => {
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'SendcloudBridge');
    const { logger, metrics } = observability('get-order');
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const console = vi.spyOn(globalThis.console, 'warn').mockImplementation(() => undefined);
    metrics.publishStoredMetrics();
    expect(warn).not.toHaveBeenCalled();
    metrics.addDimension('', 'x');
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/dimension .* won't be added/));
    expect(console).not.toHaveBeenCalled();
    expect(logger).toBeInstanceOf(Logger);
    vi.unstubAllEnvs();
  });
});
