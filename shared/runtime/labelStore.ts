import { S3Client } from '@aws-sdk/client-s3';
import { S3LabelStore } from '../labels/LabelStore';
import type { Adapter } from './Runtime';

export const labelStore: Adapter<S3LabelStore> = (runtime) =>
  new S3LabelStore(new S3Client({}), { bucket: runtime.bound('LABEL_BUCKET') });

/** The label bucket's name (LABEL_BUCKET), for use cases that hand out its keys. */
export const labelBucket: Adapter<string> = (runtime) => runtime.bound('LABEL_BUCKET');
