import { type Config, ConfigError, loadConfig } from '../config';
import { serviceVersion } from './version';

/**
 * Entry points (server, migrator, CLIs) read the same configuration. A wrong setting is the one thing
 * that should stop a process at start: say which variable and exit 1, without a stack trace.
 */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env, serviceVersion);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\nSee README.md "Configuration" for every variable and its default.\n`);
    process.exit(1);
  }
}
