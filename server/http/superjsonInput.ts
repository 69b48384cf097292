import type { CombinedDataTransformer } from '@trpc/server';
import superjson from 'superjson';
import { errors } from '../errors';

/**
 * What a caller's input must look like before superjson is allowed to touch it.
 *
 * superjson's `meta` drives a recursive interpreter: a crafted annotation (`["class","F"]`) makes it
 * recurse until a RangeError, ~20 ms of CPU per call, unauthenticated. Our inputs are plain JSON;
 * the only annotation the client ever sends is `["undefined"]` (an optional field left undefined),
 * so `meta` is checked here, iteratively and within fixed bounds, and anything else is a cheap 400.
 * The same check catches raw HTTP callers who forget the `{"json": …}` envelope, whose input tRPC
 * would otherwise silently read as "no input".
 */

/** More annotated places than any input of ours has fields, and deeper than any of them nests. */
const MAX_META_NODES = 200;
const MAX_META_DEPTH = 8;
const ENVELOPE_KEYS = new Set(['json', 'meta']);
const META_KEYS = new Set(['values', 'v']);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The one annotation accepted: a field that was `undefined` on the client. */
const isUndefinedAnnotation = (node: unknown[]) => node.length === 1 && node[0] === 'undefined';

/** Why `values` (superjson's annotation tree) is refused, or undefined when it is only `undefined` leaves. */
function annotationProblem(values: unknown): string | undefined {
  const pending: Array<{ node: unknown; depth: number }> = [{ node: values, depth: 0 }];
  let visited = 0;
  while (pending.length > 0) {
    const { node, depth } = pending.pop()!;
    if (++visited > MAX_META_NODES) return `"meta" annotates more than ${MAX_META_NODES} places`;
    if (depth > MAX_META_DEPTH) return `"meta" nests deeper than ${MAX_META_DEPTH} levels`;
    if (Array.isArray(node)) {
      if (isUndefinedAnnotation(node)) continue;
      return '"meta" may only mark fields as undefined';
    }
    if (!isPlainObject(node)) return '"meta.values" is not an annotation tree';
    for (const child of Object.values(node)) pending.push({ node: child, depth: depth + 1 });
  }
  return undefined;
}

/** Why `raw` is not an envelope we accept, or undefined when it is one. Never recurses. */
export function envelopeProblem(raw: unknown): string | undefined {
  if (!isPlainObject(raw)) return 'The input is not a {"json": …} object';
  const stray = Object.keys(raw).find((key) => !ENVELOPE_KEYS.has(key));
  if (stray !== undefined) return `The input has a top-level "${stray.slice(0, 50)}" outside the envelope`;
  const { meta } = raw;
  if (meta === undefined || meta === null) return undefined;
  if (!isPlainObject(meta)) return '"meta" is not an object';
  const strayMeta = Object.keys(meta).find((key) => !META_KEYS.has(key));
  if (strayMeta !== undefined) return `"meta.${strayMeta.slice(0, 50)}" is not accepted`;
  if (meta.v !== undefined && meta.v !== 1) return '"meta.v" must be 1';
  return meta.values === undefined ? undefined : annotationProblem(meta.values);
}

/** superjson, with every incoming input checked first (tRPC turns the throw into a 400 for that call). */
export const checkedSuperjson: CombinedDataTransformer = {
  input: {
    serialize: (value) => superjson.serialize(value),
    deserialize: (raw) => {
      const problem = envelopeProblem(raw);
      if (problem) throw errors.notAnEnvelope(problem);
      return superjson.deserialize(raw);
    },
  },
  output: {
    serialize: (value) => superjson.serialize(value),
    deserialize: (raw) => superjson.deserialize(raw),
  },
};
