import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

/**
 * PGlite's start parameters: its defaults, with shared_buffers at 16 MB instead of the 128 MB initdb
 * writes into postgresql.conf. PGlite's memory allocator touches the whole buffer pool when Postgres
 * starts, so 128 MB of it was resident for the life of the process (issue 15.3: ~125 MB of the
 * ~390 MB an idle embedded server held). The embedded database is a demo/development one of a few MB;
 * 16 MB keeps all of it cached. A command-line -c overrides postgresql.conf.
 */
export const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

/**
 * Creates the database files of an empty folder in a worker thread, so the server never holds the
 * memory it takes: PGlite runs initdb in a second PGlite instance plus the initdb WebAssembly module
 * and copies the result across, which left a first start ~450 MB above a restart for the life of
 * the process (WebAssembly memory is not returned until its instance is collected). A worker's memory
 * is released when it exits. Does nothing when the folder already holds a database.
 */
export async function initializeFolderApart(dataDir: string): Promise<void> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
     import(workerData.pgliteUrl).then(async ({ PGlite }) => {
       const pglite = await PGlite.create({ dataDir: workerData.dataDir, startParams: workerData.startParams });
       await pglite.close();
     });`,
    {
      eval: true,
      // Plain JavaScript: no TypeScript loader (npm start's --import tsx) in the worker.
      execArgv: [],
      workerData: { dataDir, startParams: PGLITE_START_PARAMS, pgliteUrl: import.meta.resolve('@electric-sql/pglite') },
    },
  );
  let failure: unknown;
  worker.on('error', (err) => (failure = err));
  const [code] = (await once(worker, 'exit')) as [number];
  if (failure || code !== 0)
    throw new Error(`creating the embedded database in ${dataDir} failed (worker exit ${code})`, { cause: failure });
}
