// Turns a zod failure on a request body into one clear invalid_request error naming the field.
import type { z } from 'zod';
import { GatewayError } from '../core/errors.js';

export function validationError(error: z.ZodError): GatewayError {
  const issue = error.issues[0]!;
  const param = issue.path
    .map((part) => (typeof part === 'number' ? `[${part}]` : String(part)))
    .join('.')
    .replace(/\.\[/g, '[');
  const where = param === '' ? 'the body' : `"${param}"`;
  return new GatewayError('invalid_request', `Invalid value for ${where}: ${issue.message}`, {
    param: param || undefined,
  });
}
