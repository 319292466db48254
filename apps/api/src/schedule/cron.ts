import { Cron } from 'croner';
import { ApiError } from '../http/api-error.js';

/** Checks a cron expression (5 or 6 fields, croner syntax); a 400 naming the field otherwise. */
export function checkCron(field: string, expression: string | null | undefined): void {
  if (expression === null || expression === undefined || expression === '') return;
  try {
    new Cron(expression, { paused: true }).stop();
  } catch (error) {
    throw new ApiError('invalid_request', `${field}: ${JSON.stringify(expression)} is not a cron expression (${(error as Error).message}); e.g. "0 */6 * * *" for every six hours`);
  }
}
