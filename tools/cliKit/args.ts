import { type ParseArgsConfig, parseArgs } from 'node:util';

/** The option table of node:util parseArgs; every CLI also gets `--help`/`-h`. */
type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Every CLI's arguments, parsed one way: node:util parseArgs in strict mode (an unknown flag, a
 * stray positional or a missing value is refused, never ignored), `--help` printing the usage.
 * Exit status 0 for help, 2 for bad arguments; otherwise the parsed values.
 */
export function parseCliArgs<O extends Options>(usage: string, options: O, args = process.argv.slice(2)) {
  try {
    const { values } = parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    });
    if ((values as { help?: boolean }).help) {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    }
    return values as ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: false }>>['values'];
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${usage}\n`);
    process.exit(2);
  }
}
