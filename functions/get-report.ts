import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { loadEnv } from '../shared/config/env';
import { toHttpResponse } from '../shared/http';
import { fileResponse } from '../shared/labels/fileResponse';
import { handOut } from '../shared/labels/handOut';
import { functionLogger } from '../shared/observability';
import { dailyReport } from '../shared/reports/dailyReport';
import { compose } from '../shared/runtime/compose';
import { labelStore } from '../shared/runtime/labelStore';
import { orderStore } from '../shared/runtime/orderStore';
import { reportUpload } from '../shared/runtime/reportUpload';
import * as z from '../shared/validation/zod';

/**
 * GET /reports/{date}?account=&format=json|csv — the day's report (today's is made on request, others once).
 * Up to REPORT_INLINE_MAX_BYTES (default 1 MiB) it is the answer itself; larger (a busy day's CSV) it is a
 * 303 See Other to a presigned link.
 */
const services = compose(loadEnv(), { store: orderStore, labelStore, upload: reportUpload });
const logger = functionLogger('get-report');
const inlineMaxBytes = services.env.REPORT_INLINE_MAX_BYTES;
/** The report was just written, yet S3 does not have it (read-after-write should make this impossible). */
class ReportUnreadableError extends Error {
  override readonly name = 'ReportUnreadableError' as const;
  readonly code = 'REPORT_UNREADABLE' as const;
  readonly retryable = true;
}
const Query = z.object({
  date: z.iso.date({ error: 'date must be YYYY-MM-DD' }),
  account: z._default(z.string(), 'default'),
  format: z._default(z.enum(['json', 'csv']), 'json'),
});

async function getReport(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyResultV2> {
  try {
    const { date, account, format } = Query.parse({
      ...event.queryStringParameters,
      date: event.pathParameters?.date,
    });
    services.requireAccount(account);
    const key = `reports/${account}/${date}.${format}`;
    const today = new Date().toISOString().slice(0, 10);
    if (date >= today || (await services.labelStore.size(key)) === undefined)
      await dailyReport(account, date, {
        store: services.store,
        files: services.labelStore,
        upload: services.upload,
        clock: () => new Date(),
      });
    const file = await handOut(
      key,
      { files: services.labelStore, clock: () => new Date() },
      {
        filename: `report-${account}-${date}.${format}`,
        contentType: format === 'csv' ? 'text/csv' : 'application/json',
        disposition: 'inline',
        inlineMaxBytes,
      },
    );
    if (!file) throw new ReportUnreadableError(`report ${date}.${format} was written but is not stored`);
    if (file.kind === 'link')
      logger.info('report handed out as a link', { account, date, bytes: file.bytes });
    return fileResponse(file);
  } catch (error) {
    return toHttpResponse(error, context.awsRequestId);
  }
}

export const handler = middy(getReport).use(injectLambdaContext(logger));
