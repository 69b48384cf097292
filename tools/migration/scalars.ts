import { ok, type Parsed, refused } from './instants';

const INT4_MIN = -2_147_483_648;
const INT4_MAX = 2_147_483_647;
export const INTEGER_PATTERN = '^-?[0-9]+$';
export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

const integer = new RegExp(INTEGER_PATTERN);
const uuid = new RegExp(UUID_PATTERN);

export function integerFromText(text: string): Parsed<string> {
  if (!integer.test(text)) return refused('not a whole number');
  const n = Number(text);
  if (n < INT4_MIN || n > INT4_MAX) return refused('out of the integer range');
  return ok(String(n));
}

/** Only the two spellings the live database wrote; anything else is a question for a human. */
export function booleanFromText(text: string): Parsed<string> {
  return text === 'true' || text === 'false' ? ok(text) : refused("not 'true' or 'false'");
}

export function uuidFromText(text: string): Parsed<string> {
  return uuid.test(text) ? ok(text.toLowerCase()) : refused('not a UUID');
}
