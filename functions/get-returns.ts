import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { loadEnv } from '../shared/config';
import { HttpError, json, toHttpResponse } from '../shared/http';
import { observability } from '../shared/observability';
import { getReturn, listReturns, returnKey } from '../shared/returns';
import { createServices } from '../shared/runtime/services';

/** GET /returns[?account=&cursor=], GET /returns/{returnId}, GET /returns/{returnId}/label. */
const services = createServices(loadEnv());
const { logger } = observability('get-returns');
const client = (account: string) => services.sendcloudClients.forAccount(account, 'realtime');

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
      const bytes = key ? await services.labelStore.get(key) : undefined;
      if (!bytes)
        throw new HttpError(404, 'RETURN_LABEL_NOT_FOUND', `No label stored for return ${returnId}.`);
      return {
        statusCode: 200,
        headers: {
          'content-type': 'application/pdf',
          'content-disposition': `inline; filename="${returnId}.pdf"`,
        },
        body: Buffer.from(bytes).toString('base64'),
        isBase64Encoded: true,
      };
    }
    const found = await getReturn(returnId, client, services);
    if (!found) throw new HttpError(404, 'RETURN_NOT_FOUND', `No return ${returnId}.`);
    return json(200, found);
  } catch (error) {
    return toHttpResponse(error, context.awsRequestId);
  }
}

export const handler = middy(getReturns).use(injectLambdaContext(logger));
