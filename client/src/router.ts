// In this repository the client is typed by the server's own router. The published package replaces
// this file with a self-contained declaration generated from it (scripts/generateRouterTypes.ts), so
// consumers get the same types without the server's source or its dependencies.

export type { AppErrorCode, AppErrorDetails } from '../../server/errors';
export type { AppRouter } from '../../server/routers';
