import type { TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { DomainError } from './catalogue';
import { appCodeOf } from './toTRPCError';

/** Which input fields were wrong and why, keyed by field path: what a form shows beside each field. */
type FieldErrors = Record<string, string[]>;

/**
 * Unknown keys are reported under their own name (zod files them at the parent's path, where a form
 * could not show them).
 */
function zodFieldErrors(err: ZodError): FieldErrors {
  const fields: FieldErrors = {};
  const add = (path: PropertyKey[], message: string) => {
    const field = path.map(String).join('.') || '(input)';
    fields[field] = [...(fields[field] ?? []), message];
  };
  for (const issue of err.issues) {
    if (issue.code === 'unrecognized_keys')
      for (const key of issue.keys) add([...issue.path, key], `Unrecognized key: "${key}"`);
    else add(issue.path, issue.message);
  }
  return fields;
}

/** A field the schema accepted and the service refused (a cursor it never issued) reads the same way. */
function fieldErrorsOf(error: TRPCError, domain: DomainError | undefined): FieldErrors | undefined {
  if (error.cause instanceof ZodError) return zodFieldErrors(error.cause);
  if (domain?.code === 'VALIDATION_FAILED' && domain.details && 'field' in domain.details) {
    return { [domain.details.field]: [domain.message] };
  }
  return undefined;
}

/** One readable sentence instead of the raw issue list (which would leak patterns and internals). */
const validationMessage = (fields: FieldErrors) =>
  `Invalid input: ${Object.entries(fields)
    .map(([field, messages]) => `${field}: ${messages.join(', ')}`)
    .join('; ')}`;

/**
 * What every error answer carries besides tRPC's own shape: the appCode, the details a form or a
 * retry needs (which field, which prerequisite, when to retry), never internals or a stack.
 */
export function errorData(error: TRPCError) {
  // `instanceof` of a generic class says DomainError<any>: widen to the union of every code's details.
  const domain: DomainError | undefined = error.cause instanceof DomainError ? error.cause : undefined;
  const fieldErrors = fieldErrorsOf(error, domain);
  return {
    message: error.cause instanceof ZodError && fieldErrors ? validationMessage(fieldErrors) : undefined,
    data: {
      appCode: appCodeOf(error),
      fieldErrors,
      details: domain?.details,
    },
  };
}
