import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// zod/mini carries no messages of its own: English ones, as zod's classic API sets, before any schema parses.
z.config(en());

export * from 'zod/mini';
// What the classic API calls these (zod/mini names them in `core`): an error, an issue, a refinement's context,
// an object's shape, any schema.
export {
  type $RefinementCtx as RefinementCtx,
  $ZodError as ZodError,
  type $ZodIssue as ZodIssue,
  type $ZodShape as ZodRawShape,
  type $ZodType as ZodType,
} from 'zod/v4/core';
