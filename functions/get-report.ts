import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import * as z from 'zod';
import { loadEnv } from '../shared/config';
import { toHttpResponse } from '../shared/http';
import { observability } from '../shared/observability';
import { dailyReport } from '../shared/reports';
import { createServices } from '../shared/runtime/services';

/** GET /reports/{date}?account=&format=json|csv — the day's report (today's is made on request, others once). */
const services = createServices(loadEnv());
const { logger } = observability('get-report');
const Query = z.object({
  date: z.iso.date({ error: 'date must be YYYY-MM-DD' }),
  account: z.string().default('default'),
  format: z.enum(['json', 'csv']).default('json'),
});

async function getReport(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyResultV2> {
  try {
    const { date, account, format } = Query.parse({
      ...event.queryStringParameters,
      date: event.pathParameters?.date,
    });
    await services.directory.credentials(account);
    const key = `reports/${account}/${date}.${format}`;
    const today = new Date().toISOString().slice(0, 10);
    let bytes = date >= today ? undefined : await services.labelStore.get(key);
    if (!bytes) {
      await dailyReport(account, date, {
        store: services.store,
        files: services.labelStore,
        clock: () => new Date(),
      });
      bytes = await services.labelStore.get(key);
    }
    return {
      statusCode: 200,
      headers: { 'content-type': format === 'csv' ? 'text/csv' : 'application/json' },
      body: Buffer.from(bytes ?? new Uint8Array()).toString('utf8'),
    };
  } catch (error) {
    return toHttpResponse(error, context.awsRequestId);
  }
}

export const handler = middy(getReport).use(injectLambdaContext(logger));
