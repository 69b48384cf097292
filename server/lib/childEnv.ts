/** What a child process inherits of this one's environment: only what Node needs, nothing of the shell. */
export const inheritedEnv = (): Record<string, string> =>
  Object.fromEntries(['PATH', 'HOME', 'TMPDIR', 'LANG'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
