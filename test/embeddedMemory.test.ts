import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../db/client';

// Issue 15.3: an idle embedded server held ~855 MB after its first start and ~390 MB after a restart
// (figures: `npm run bench:embedded-memory`). These check the two causes, without timing or RSS limits.
const dataDir = mkdtempSync(join(tmpdir(), 'mb-embedded-memory-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const quiet = { error: () => undefined };
const query = async (database: DatabaseHandle, text: string) => {
  if (database.mode !== 'pglite') throw new Error('expected the embedded database');
  return (await database.pglite.query(text)).rows;
};

/** Counts the WebAssembly memories created on this thread: one per PGlite (or initdb) instance. */
let memoriesCreated = 0;
// Node's global WebAssembly, typed only as far as this needs (the project's lib has no DOM types).
const wasm = (globalThis as unknown as { WebAssembly: { Memory: new (...args: unknown[]) => object } }).WebAssembly;
const RealMemory = wasm.Memory;
beforeEach(() => {
  memoriesCreated = 0;
  wasm.Memory = new Proxy(RealMemory, {
    construct(target, args) {
      memoriesCreated++;
      return Reflect.construct(target, args);
    },
  });
});
afterEach(() => {
  wasm.Memory = RealMemory;
});

describe('embedded database memory', () => {
  it('creates a new folder off this thread: the process keeps only the one instance it serves from', {
    timeout: 120_000,
  }, async () => {
    // PGlite alone runs initdb in a second instance inside the opening process; its memory stayed resident.
    const database = await openDatabase({ kind: 'pglite', dataDir }, quiet, { purpose: 'test' });
    try {
      expect(memoriesCreated).toBe(1);
      expect(await query(database, 'select 1 as one')).toEqual([{ one: 1 }]);
    } finally {
      await database.close();
    }
  });

  it('runs Postgres with a 16 MB buffer pool (initdb writes 128 MB, all of it resident)', {
    timeout: 120_000,
  }, async () => {
    const database = await openDatabase({ kind: 'pglite', dataDir }, quiet, { purpose: 'test' });
    try {
      expect(memoriesCreated).toBe(1);
      expect(await query(database, 'show shared_buffers')).toEqual([{ shared_buffers: '16MB' }]);
    } finally {
      await database.close();
    }
  });
});
