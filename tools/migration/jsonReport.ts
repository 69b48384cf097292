import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * A JSON report written as the run goes: one array of items (refused rows, differences) streamed to
 * disk so it can hold every one of them without holding them in memory, then the summary fields.
 * The file is `{ "<items>": [...], ...summary }`.
 */
export interface JsonReport {
  add(item: unknown): void;
  finish(summary: Record<string, unknown>): void;
}

const noReport: JsonReport = { add: () => undefined, finish: () => undefined };

export function openJsonReport(path: string | undefined, itemsName: string): JsonReport {
  if (!path) return noReport;
  const fd = openSync(path, 'w');
  writeSync(fd, `{\n${JSON.stringify(itemsName)}: [`);
  let first = true;
  let finished = false;
  return {
    add(item) {
      writeSync(fd, `${first ? '\n' : ',\n'}${JSON.stringify(item)}`);
      first = false;
    },
    finish(summary) {
      if (finished) return;
      finished = true;
      const fields = Object.entries(summary).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v, null, 2)}`);
      writeSync(fd, `\n]${fields.map((f) => `,\n${f}`).join('')}\n}\n`);
      closeSync(fd);
    },
  };
}
