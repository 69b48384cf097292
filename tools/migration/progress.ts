/** Progress lines for long copies: at most one a second per table, plus the last one. */
export function rate(rows: number, ms: number): number {
  return ms > 0 ? Math.round((rows * 1000) / ms) : rows;
}

export function progressPrinter(table: string, total: number, write: (line: string) => void, everyMs = 1000) {
  const started = Date.now();
  let lastPrinted = 0;
  let lastDone = -1;
  return (done: number, final = false) => {
    const now = Date.now();
    if (final ? done === lastDone : now - lastPrinted < everyMs) return;
    lastPrinted = now;
    lastDone = done;
    const pct = total > 0 ? ((done / total) * 100).toFixed(1) : '100.0';
    write(`  ${table}: ${done}/${total} rows (${pct}%), ${rate(done, now - started)} rows/s`);
  };
}
