import type { TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { DomainError, errors } from './catalogue';
import { appCodeOf } from './toTRPCError';

/** Which input fields were wrong and why, keyed by field path: what a form shows beside each field. */
type FieldErrors = Record<string, string[]>;

/** Keys superjson refuses to write into any answer (they could pollute a prototype on the way back). */
const UNWRITABLE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A field's path as a key of fieldErrors; an unwritable key is filed under its parent (its message names it). */
function fieldName(path: PropertyKey[]): string {
  const segments = path.map(String);
  const writable = segments.findIndex((segment) => UNWRITABLE_KEYS.has(segment));
  return (writable === -1 ? segments : segments.slice(0, writable)).join('.') || '(input)';
}

/**
 * Unknown keys are reported under their own name (zod files them at the parent's path, where a form
 * could not show them).
 */
function zodFieldErrors(err: ZodError): FieldErrors {
  // A Map, not `{}`: a field may be named "constructor", "toString" or "__proto__", which a plain
  // object already "has" (its prototype's), and the answer would be a 500.
  const fields = new Map<string, string[]>();
  const add = (path: PropertyKey[], message: string) => {
    const field = fieldName(path);
    fields.set(field, [...(fields.get(field) ?? []), message]);
  };
  for (const issue of err.issues) {
    if (issue.code === 'unrecognized_keys')
      for (const key of issue.keys) add([...issue.path, key], `Unrecognized key: "${key}"`);
    else add(issue.path, issue.message);
  }
  return Object.fromEntries(fields);
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

/** The limits a refusal names; known once a request has a context (tRPC's own refusals come earlier). */
export interface WireLimits {
  maxBodyBytes: number;
  maxBatchSize: number;
}

/**
 * tRPC's own refusals of a request (raised before or around the procedure, with no domain cause),
 * as catalogued errors whose messages say what to do instead.
 */
function wireRefusal(error: TRPCError, limits: WireLimits | undefined): DomainError | undefined {
  switch (error.code) {
    case 'NOT_FOUND':
      return errors.procedureNotFound(error.message);
    case 'METHOD_NOT_SUPPORTED':
      return errors.methodNotSupported(error.message);
    case 'UNSUPPORTED_MEDIA_TYPE':
      return errors.unsupportedMediaType(undefined);
    case 'PAYLOAD_TOO_LARGE':
      return limits ? errors.bodyTooLarge(limits.maxBodyBytes) : errors.bodyTooLargeUnstated();
    default:
      return undefined;
  }
}

/**
 * What every error answer carries besides tRPC's own shape: the appCode, the details a form or a
 * retry needs (which field, which prerequisite, when to retry), never internals or a stack.
 */
export function errorData(error: TRPCError, limits?: WireLimits) {
  // `instanceof` of a generic class says DomainError<any>: widen to the union of every code's details.
  const thrown: DomainError | undefined = error.cause instanceof DomainError ? error.cause : undefined;
  const refusal = thrown ? undefined : wireRefusal(error, limits);
  const domain = thrown ?? refusal;
  const fieldErrors = fieldErrorsOf(error, domain);
  return {
    message: error.cause instanceof ZodError && fieldErrors ? validationMessage(fieldErrors) : refusal?.message,
    data: {
      appCode: domain?.code ?? appCodeOf(error),
      fieldErrors,
      details: domain?.details,
    },
  };
}
