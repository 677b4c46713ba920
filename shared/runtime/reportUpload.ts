import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ReportUpload } from '../reports/dailyReport';
import type { Adapter } from './Runtime';

/** Streams a report to the label bucket as a multipart upload (lib-storage: 5 MiB parts, aborted on failure). */
export const reportUpload: Adapter<ReportUpload> = (runtime) => {
  const s3 = new S3Client({});
  const bucket = runtime.bound('LABEL_BUCKET');
  return async (key, contentType, body) => {
    await new Upload({
      client: s3,
      params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType },
    }).done();
  };
};
