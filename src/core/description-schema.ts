// How a provider or tool server is described, as config schemas: where it runs and on whose
// hardware. Shared by the provider kinds' settings and the policy's filters, so both accept the same.
import { z } from 'zod';
import type { Ownership } from './provider.js';

export const jurisdictionSchema = z
  .string()
  .regex(/^(local|[A-Z]{2})$/, 'must be "local" or an ISO 3166-1 alpha-2 code in capitals (SA, AE, FR, US, CN…)');

export const ownershipSchema = z.enum(['owned', 'contracted', 'rented']) satisfies z.ZodType<Ownership>;
