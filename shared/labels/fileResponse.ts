import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import type { HandOut } from './handOut';

const TEXT = /^(text\/|application\/json)/;

/**
 * A handed-out file as an HTTP answer: 200 with the bytes, or 303 See Other to the presigned link with the
 * link in a small JSON body (for clients that do not follow redirects). Links are not cached: each expires.
 */
export function fileResponse(file: HandOut): APIGatewayProxyResultV2 {
  if (file.kind === 'link') {
    const { kind: _kind, ...link } = file;
    return {
      statusCode: 303,
      headers: { location: link.url, 'content-type': 'application/json', 'cache-control': 'no-store' },
      body: JSON.stringify(link),
    };
  }
  const headers = {
    'content-type': file.contentType,
    'content-disposition': `${file.disposition}; filename="${file.filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
  };
  return TEXT.test(file.contentType)
    ? { statusCode: 200, headers, body: Buffer.from(file.bytes).toString('utf8') }
    : { statusCode: 200, headers, isBase64Encoded: true, body: Buffer.from(file.bytes).toString('base64') };
}
