/**
 * Checks of the CLI's inputs before any work starts: files read (a regular
 * file, within a size limit, UTF-8), paths written (creatable, writable, on
 * a real file system), and numbers (whole, within a range). Each failure is
 * a {@link UsageError}: one line, exit 2.
 */
import { accessSync, constants, openSync, readSync, closeSync, fstatSync, statSync, realpathSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve, sep } from 'node:path';
import { UsageError } from './errors.js';

/** Size limits of the files barmap reads. */
export const FILE_LIMITS = {
  /** A scenario (the shipped ones are under 10 KiB). */
  scenario: 1 << 20,
  /** A trace file (a scenario, a schedule and stats). */
  trace: 16 << 20,
  /** A results file of check --out FILE.json (holds a shard's visited keys, 8 bytes per state). */
  results: 256 << 20,
} as const;

/** Read a regular file as UTF-8 text of at most `limit` bytes. */
export function readTextFile(path: string, what: string, limit: number): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new UsageError(`cannot read ${what} '${path}': ${errCode(e)}; check the path and its permissions`);
  }
  try {
    const st = fstatSync(fd);
    // A FIFO, a device or /proc would block or never end: only regular files are read.
    if (!st.isFile()) throw new UsageError(`${what} '${path}' is not a regular file; give a file`);
    if (st.size > limit) throw new UsageError(`${what} '${path}' is ${mib(st.size)}; barmap reads at most ${mib(limit)}`);
    const buf = Buffer.alloc(st.size);
    let got = 0;
    while (got < st.size) {
      const n = readSync(fd, buf, got, st.size - got, null);
      if (n === 0) break;
      got += n;
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, got)).replace(/^\uFEFF/, '');
    } catch {
      throw new UsageError(`${what} '${path}' is not UTF-8 text; give the file barmap wrote or a UTF-8 text file`);
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${what} '${path}': ${errCode(e)}`);
  } finally {
    closeSync(fd);
  }
}

function mib(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(n % (1 << 20) ? 1 : 0)} MiB` : `${n} bytes`;
}

function errCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
}

/** Pseudo file systems where writing results makes no sense (and may block). */
const PSEUDO = ['/proc', '/sys', '/dev'];

/** The deepest existing ancestor of `path` (itself included), resolved. */
function existingAncestor(path: string): string {
  let p = resolve(path);
  for (;;) {
    try {
      statSync(p);
      return p;
    } catch {
      const up = dirname(p);
      if (up === p) return p;
      p = up;
    }
  }
}

/**
 * A directory barmap will create (if needed) and write files into: it, or
 * its nearest existing ancestor, must be a writable directory on a real file system.
 */
export function checkWritableDir(path: string, flag: string, shown = path): void {
  if (path === '') throw new UsageError(`${flag} needs a path`);
  const have = existingAncestor(path);
  const real = safeRealpath(have);
  if (PSEUDO.some((p) => real === p || real.startsWith(p + sep))) {
    throw new UsageError(`${flag} '${shown}' is under ${real.split(sep).slice(0, 2).join(sep)}, not a place for files; give a directory on a disk`);
  }
  const st = statSync(have);
  if (!st.isDirectory()) {
    throw new UsageError(have === resolve(path) && shown === path
      ? `${flag} '${path}' is a file, not a directory; give a directory (it is created if missing)`
      : `${flag} '${shown}' cannot be created: '${have}' is a file; give a path in a directory`);
  }
  try {
    accessSync(have, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw new UsageError(`${flag} '${shown}' is not writable ('${have}': ${errCode(e)}); give a writable directory`);
  }
}

/** A file barmap will write: its directory as {@link checkWritableDir}; if it exists, a writable regular file. */
export function checkWritableFile(path: string, flag: string): void {
  if (path === '') throw new UsageError(`${flag} needs a file name`);
  let st;
  try {
    st = statSync(path);
  } catch {
    checkWritableDir(dirname(resolve(path)), flag, path);
    return;
  }
  checkWritableDir(dirname(resolve(path)), flag, path);
  if (!st.isFile()) throw new UsageError(`${flag} '${path}' exists and is not a regular file; give a file name`);
  try {
    accessSync(path, constants.W_OK);
  } catch (e) {
    throw new UsageError(`${flag} '${path}' is not writable (${errCode(e)}); give another file name`);
  }
}

function safeRealpath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** A whole number flag in [min, max]; undefined when not given. */
export function wholeNumber(flag: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = /^\d{1,16}$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} takes a whole number from ${min} to ${max.toLocaleString('en')}, not '${v.length > 40 ? v.slice(0, 40) + '...' : v}'`);
  }
  return n;
}

/** Upper bounds of the numeric flags (far beyond what a search finishes in). */
export const NUMBER_LIMITS = {
  maxActions: 1000,
  preemptions: 1000,
  maxStates: 1_000_000_000,
  seed: 0xffffffff,
  walks: 100_000_000,
  depth: 1_000_000,
} as const;

/** Worker threads at most without --force-workers: the machine's cores. */
export function coreCount(): number {
  return availableParallelism();
}

/** With --force-workers, at most this many per core (each thread holds a copy of the model, tens of MB). */
export const FORCED_WORKERS_PER_CORE = 4;

/** `--workers N`: 1..cores, or up to 4 per core with --force-workers. */
export function workerCount(v: string | undefined, forced: boolean): number {
  const cores = coreCount();
  const max = forced ? cores * FORCED_WORKERS_PER_CORE : cores;
  if (v === undefined) return cores;
  const n = /^\d{1,16}$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--workers takes a whole number from 1 to ${max}, not '${v.length > 40 ? v.slice(0, 40) + '...' : v}'`);
  if (n > max) {
    throw new UsageError(forced
      ? `--workers ${n} is more than ${max} (${FORCED_WORKERS_PER_CORE} per core on this ${cores}-core machine); give at most ${max}`
      : `--workers ${n} is more than this machine's ${cores} cores; give at most ${cores}, or add --force-workers (up to ${cores * FORCED_WORKERS_PER_CORE})`);
  }
  return n;
}

/** Write a file (creating its directory); a failure (disk full, permissions changed) is one line, exit 2. */
export function writeOutput(path: string, text: string, flag: string): void {
  try {
    const dir = dirname(path);
    if (dir) mkdirSync(dir, { recursive: true });
    writeFileSync(path, text);
  } catch (e) {
    throw new UsageError(`cannot write '${path}' (${flag}): ${errCode(e)}; give a writable place`);
  }
}
