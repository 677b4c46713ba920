import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { batchView, fileContentType, fileName } from '../shared/batches/batchView';
import { loadEnv } from '../shared/config/env';
import { HttpError, json, toHttpResponse } from '../shared/http';
import { fileResponse } from '../shared/labels/fileResponse';
import { handOut } from '../shared/labels/handOut';
import { functionLogger } from '../shared/observability';
import { batchStore } from '../shared/runtime/batchStore';
import { compose } from '../shared/runtime/compose';
import { labelStore } from '../shared/runtime/labelStore';

/**
 * GET /batches/{batchId} — progress, failures and the merged files with their sizes.
 * GET /batches/{batchId}/files/{index} — 303 See Other to a presigned link for one merged file (a part of
 * 1,000 labels is 22–58 MB; a Lambda response carries 6 MB).
 */
const services = compose(loadEnv(), { batches: batchStore, labelStore });
const logger = functionLogger('get-batch');

async function getBatch(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyResultV2> {
  try {
    const batchId = event.pathParameters?.batchId ?? '';
    const batch = await services.batches.get(batchId);
    if (!batch) throw new HttpError(404, 'BATCH_NOT_FOUND', `No batch ${batchId}.`);
    const index = event.pathParameters?.index;
    if (index !== undefined) {
      const file = /^\d+$/.test(index) ? batch.files?.[Number(index)] : undefined;
      const link = file
        ? await handOut(
            file.key,
            { files: services.labelStore, clock: () => new Date() },
            { filename: fileName(file), contentType: fileContentType(file), inlineMaxBytes: 0 },
          )
        : undefined;
      if (!link)
        throw new HttpError(
          404,
          'FILE_NOT_FOUND',
          `Batch ${batchId} has no file ${index}${batch.status === 'completed' ? '' : ' yet'}.`,
        );
      logger.info('batch file handed out', { batchId, index, bytes: file?.bytes ?? 0 });
      return fileResponse(link);
    }
    const members = batch.status === 'completed' ? await services.batches.members(batchId) : [];
    return json(200, batchView(batch, members));
  } catch (error) {
    return toHttpResponse(error, context.awsRequestId);
  }
}

export const handler = middy(getBatch).use(injectLambdaContext(logger));
