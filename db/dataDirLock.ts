import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * One process at a time per embedded (PGlite) data folder. PGlite keeps the whole database in the
 * memory of the process that opened it and writes it back to the folder; a second process on the same
 * folder has its own copy, so neither sees the other's writes (two `npm start`s both booked the demo
 * student into the same Mini-mock) and each overwrites the other's files.
 *
 * The lock is a file in the folder holding the owner's pid and that process's start time. A process
 * killed with SIGKILL cannot remove it, so a lock counts only while its owner is alive: the pid must
 * exist and (on Linux, where /proc says) have the same start time, so a pid reused by an unrelated
 * process after a crash does not keep the folder locked. A dead owner's lock is taken over.
 */

export const LOCK_FILE = 'mocks-booking.lock';
/** Taken for the moment of replacing a dead owner's lock, so two starters cannot both replace it. */
const TAKEOVER_FILE = 'mocks-booking.lock.takeover';

export interface LockOwner {
  pid: number;
  /** /proc/<pid>/stat start time (clock ticks since boot); null where /proc is not available. */
  startTime: string | null;
  hostname: string;
  /** What holds it: "server", "db:migrate", "db:studio"... */
  purpose: string;
  since: string;
}

export type LockState =
  | { state: 'free' }
  | { state: 'held'; owner: LockOwner }
  /** A lock left by a process that no longer runs: the next opener takes it over. */
  | { state: 'stale'; owner: LockOwner };

/** Refused because another live process has the folder open. Its message says who and what to do. */
export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
  constructor(
    readonly dataDir: string,
    readonly owner: LockOwner,
  ) {
    super(
      `The embedded database folder ${dataDir} is in use by another process (pid ${owner.pid}, ${owner.purpose}, since ${owner.since}). ` +
        'Only one process may open a PGlite folder: stop that process first, or set PGLITE_DATA_DIR to another folder ' +
        '(or DATABASE_URL for a real PostgreSQL that several processes can share).',
    );
  }
}

function processStartTime(pid: number | 'self'): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces), which ends at the last ')'; starttime is field 22.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(owner: LockOwner): boolean {
  // Another machine's process (a folder on a network share) cannot be checked from here: assume it runs.
  if (owner.hostname !== hostname()) return true;
  if (!Number.isInteger(owner.pid) || owner.pid <= 0) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (owner.startTime === null) return true;
  const now = processStartTime(owner.pid);
  return now === null || now === owner.startTime;
}

function readOwner(path: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // Half-written (its writer died between create and write) or garbage: nobody can own it.
    return { pid: 0, startTime: null, hostname: hostname(), purpose: 'unreadable lock file', since: '?' };
  }
}

/** Who has the folder open, without touching it: doctor's view. */
export function inspectDataDirLock(dataDir: string): LockState {
  const owner = readOwner(join(dataDir, LOCK_FILE));
  if (!owner) return { state: 'free' };
  return isAlive(owner) ? { state: 'held', owner } : { state: 'stale', owner };
}

const sameOwner = (a: LockOwner | undefined, b: LockOwner) =>
  a !== undefined && a.pid === b.pid && a.startTime === b.startTime && a.since === b.since;

function createExclusive(path: string, owner: LockOwner): boolean {
  try {
    writeFileSync(path, JSON.stringify(owner), { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

function unlinkIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Removes a dead owner's lock, unless someone else replaced it meanwhile. */
function takeOver(dataDir: string, stale: LockOwner, me: LockOwner): void {
  const takeoverPath = join(dataDir, TAKEOVER_FILE);
  if (!createExclusive(takeoverPath, me)) {
    const other = readOwner(takeoverPath);
    // A takeover by a live process is under way: let it finish, then look again.
    if (other && isAlive(other)) return;
    unlinkIfPresent(takeoverPath);
    if (!createExclusive(takeoverPath, me)) return;
  }
  try {
    if (sameOwner(readOwner(join(dataDir, LOCK_FILE)), stale)) unlinkIfPresent(join(dataDir, LOCK_FILE));
  } finally {
    unlinkIfPresent(takeoverPath);
  }
}

export interface DataDirLock {
  /** Removes the lock file if it is still this process's. Idempotent. */
  release(): void;
}

/**
 * Takes the folder's lock for this process, or throws DataDirLockedError naming the live owner.
 * Released by `release()`, and at the latest when the process exits normally; after a crash the next
 * opener finds the owner dead and takes over.
 */
export function acquireDataDirLock(dataDir: string, purpose: string): DataDirLock {
  const path = join(dataDir, LOCK_FILE);
  const me: LockOwner = {
    pid: process.pid,
    startTime: processStartTime('self'),
    hostname: hostname(),
    purpose,
    since: new Date().toISOString(),
  };
  for (let attempt = 0; ; attempt++) {
    if (createExclusive(path, me)) break;
    const owner = readOwner(path);
    if (owner && isAlive(owner)) throw new DataDirLockedError(dataDir, owner);
    if (attempt >= 5) throw new Error(`could not take the lock ${path}: it keeps changing hands`);
    if (owner) takeOver(dataDir, owner, me);
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    if (sameOwner(readOwner(path), me)) unlinkIfPresent(path);
  };
  // process.exit() (a CLI's failure path) skips close(): leave no lock behind a normal exit either.
  process.on('exit', release);
  return { release };
}
