import { z } from 'zod';
import { ZodPipe } from './zod.pipe.js';

/** PostgreSQL's integer (int4): the ids of users, alerts, silences and recipients. */
export const MAX_ID = 2_147_483_647;

const idSchema = z
  .string()
  .regex(/^[1-9]\d{0,9}$/, `须为 1 至 ${MAX_ID} 的整数 (an integer from 1 to ${MAX_ID})`)
  .transform(Number)
  .refine((n) => n <= MAX_ID, `须为 1 至 ${MAX_ID} 的整数 (an integer from 1 to ${MAX_ID})`);

/** A numeric id in the URL: outside 1…2147483647 is a 422; an unknown id stays the service's 404. */
export const idParam = (name = 'id') => new ZodPipe(idSchema, [name]);
