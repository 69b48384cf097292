/**
 * Every test file's process fails on node-postgres's pg@9 deprecations, at the line that caused one:
 * above all "Calling client.query() when the client is already executing a query", which pg 8 only
 * queues with a warning and pg 9 refuses. The service runs in the tests' own processes, so this covers
 * its code as well as the tests'. pg warns once per process (util.deprecate), so the first is enough.
 */
process.on('warning', (warning) => {
  if (warning.name === 'DeprecationWarning' && warning.message.includes('pg@9')) throw warning;
});
