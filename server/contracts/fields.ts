// Field builders every contract shares, for values Postgres must be able to store and compare.
import { z } from 'zod';

/**
 * Text typed by a person: trimmed, at most `max` characters, and free of control characters (a NUL
 * byte cannot be stored in a Postgres text column at all, and the rest have no place in a form field).
 */
export const plainText = (max: number, min = 1) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses.
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');

/** A calendar date, YYYY-MM-DD, within the years a session can have (Postgres has no year 0). */
export const isoDate = z.iso
  .date()
  .refine((d) => d >= '1900-01-01' && d <= '9999-12-31', 'must be a date between 1900-01-01 and 9999-12-31');
