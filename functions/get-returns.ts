import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { loadEnv } from '../shared/config/env';
import { HttpError, json, toHttpResponse } from '../shared/http';
import { fileResponse } from '../shared/labels/fileResponse';
import { handOut } from '../shared/labels/handOut';
import { functionLogger } from '../shared/observability';
import { getReturn, listReturns } from '../shared/returns/listReturns';
import { returnKey } from '../shared/returns/ReturnView';
import { accountDirectory } from '../shared/runtime/accountDirectory';
import { compose } from '../shared/runtime/compose';
import { labelStore } from '../shared/runtime/labelStore';
import { orderStore } from '../shared/runtime/orderStore';
import { sendcloudClients } from '../shared/runtime/sendcloudClients';
import { trackingStore } from '../shared/runtime/trackingStore';

/**
 * GET /returns[?account=&cursor=], GET /returns/{returnId}, GET /returns/{returnId}/label (the PDF, or a 303
 * See Other to a presigned link when it is over 1 MiB).
 */
const services = compose(loadEnv(), {
  store: orderStore,
  tracking: trackingStore,
  labelStore,
  directory: accountDirectory,
  sendcloudClients,
});
const logger = functionLogger('get-returns');
const client = (account: string) => services.sendcloudClients.port(account, 'realtime');

async function getReturns(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyResultV2> {
  try {
    const returnId = event.pathParameters?.returnId;
    if (returnId === undefined) {
      const account = event.queryStringParameters?.account ?? 'default';
      await services.directory.credentials(account);
      const page = await listReturns(await client(account), event.queryStringParameters?.cursor, services);
      return json(200, {
        account,
        returns: page.returns,
        next: page.next
          ? `/returns?account=${encodeURIComponent(account)}&cursor=${encodeURIComponent(page.next)}`
          : null,
      });
    }
    if (event.rawPath.endsWith('/label')) {
      const record = await services.store.get(returnKey(returnId));
      const key = record?.isReturn ? record.labels?.a6?.key : undefined;
      // A return label is tens of KB; a larger one (a many-page PDF) comes as a link like every big file.
      const file = key
        ? await handOut(
            key,
            { files: services.labelStore, clock: () => new Date() },
            { filename: `${returnId}.pdf`, contentType: 'application/pdf', disposition: 'inline' },
          )
        : undefined;
      if (!file)
        throw new HttpError(404, 'RETURN_LABEL_NOT_FOUND', `No label stored for return ${returnId}.`);
      return fileResponse(file);
    }
    const found = await getReturn(returnId, client, services);
    if (!found) throw new HttpError(404, 'RETURN_NOT_FOUND', `No return ${returnId}.`);
    return json(200, found);
  } catch (error) {
    return toHttpResponse(error, context.awsRequestId);
  }
}

export const handler = middy(getReturns).use(injectLambdaContext(logger));
