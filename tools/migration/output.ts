/** Where the commands print: plain lines, so they read the same in a terminal, a CI log or a file. */
export interface Output {
  line(text?: string): void;
  error(text: string): void;
}

/** Piped into `head`, the reader may leave early; that is no reason to crash with a stack trace. */
function ignoreClosedStdout() {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

export const processOutput: Output = {
  line: (text = '') => void process.stdout.write(`${text}\n`),
  error: (text) => void process.stderr.write(`${text}\n`),
};

/** Exit statuses shared by both commands. */
export const EXIT = {
  /** Everything copied / no difference. */
  clean: 0,
  /** Finished, but rows were refused (import) or differences were found (verify). */
  findings: 1,
  /** Could not run or stopped: bad arguments, unusable target, a source column with nowhere to go, a lost connection. */
  failed: 2,
} as const;

export function shown(value: unknown, max = 120): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value ?? null);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Keeps the first `limit` items for printing and counts the rest, so memory stays bounded. */
export class FirstN<T> {
  readonly items: T[] = [];
  total = 0;
  constructor(private readonly limit: number) {}
  add(item: T) {
    this.total += 1;
    if (this.items.length < this.limit) this.items.push(item);
  }
}

/** The shared shape of both commands: parse, then print usage, refuse bad arguments, or run. */
export async function runCommand<T>(
  parsed: { kind: 'options'; options: T } | { kind: 'help' } | { kind: 'error'; message: string },
  usage: string,
  run: (options: T) => Promise<number>,
): Promise<void> {
  ignoreClosedStdout();
  if (parsed.kind === 'help') processOutput.line(usage);
  else if (parsed.kind === 'error') {
    processOutput.error(`${parsed.message}\n\n${usage}`);
    process.exitCode = EXIT.failed;
  } else process.exitCode = await run(parsed.options);
}

/** A row by our key and, where that is our own id, the HubSpot id an operator can look up. */
export const rowName = (p: { table: string; key: string | null; hubspotId?: string | null | undefined }) =>
  `${p.table} ${p.key ?? '(no key)'}${p.hubspotId === undefined ? '' : ` (HubSpot ${p.hubspotId ?? 'none'})`}`;
