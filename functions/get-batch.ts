import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { loadEnv } from '../shared/config';
import { HttpError, json, toHttpResponse } from '../shared/http';
import { observability } from '../shared/observability';
import { createServices } from '../shared/runtime/services';

/**
 * GET /batches/{batchId} — progress, failures and the merged files.
 * GET /batches/{batchId}/files/{index} — one merged file's bytes.
 */
const services = createServices(loadEnv());
const { logger } = observability('get-batch');

async function getBatch(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyResultV2> {
  try {
    const batchId = event.pathParameters?.batchId ?? '';
    const batch = await services.batches.get(batchId);
    if (!batch) throw new HttpError(404, 'BATCH_NOT_FOUND', `No batch ${batchId}.`);
    const index = event.pathParameters?.index;
    if (index !== undefined) {
      const file = batch.files?.[Number(index)];
      const bytes = file ? await services.labelStore.get(file.key) : undefined;
      if (!file || !bytes)
        throw new HttpError(
          404,
          'FILE_NOT_FOUND',
          `Batch ${batchId} has no file ${index}${batch.status === 'completed' ? '' : ' yet'}.`,
        );
      return {
        statusCode: 200,
        headers: {
          'content-type': file.format === 'zpl' ? 'application/zpl' : 'application/pdf',
          'content-disposition': `attachment; filename="${file.key.split('/').pop()}"`,
        },
        isBase64Encoded: true,
        body: Buffer.from(bytes).toString('base64'),
      };
    }
    const members = batch.status === 'completed' ? await services.batches.members(batchId) : [];
    return json(200, {
      ...batch,
      progress: batch.total === 0 ? 1 : (batch.done + batch.failed) / batch.total,
      files: (batch.files ?? []).map((file, i) => ({ ...file, href: `/batches/${batchId}/files/${i}` })),
      failures: members
        .filter((m) => m.outcome === 'failed')
        .map((m) => ({ orderId: m.orderId, channel: m.channel, reason: m.reason ?? 'failed' })),
    });
  } catch (error) {
    return toHttpResponse(error, context.awsRequestId);
  }
}

export const handler = middy(getBatch).use(injectLambdaContext(logger));
