import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { stringify } from 'csv-stringify';
import express, { type Request, type Response } from 'express';
import { ZodError, type z } from 'zod';
import type { Executor } from '../../../db/client';
import type { Config } from '../../config';
import { bookingsExportInput, rosterExportInput } from '../../contracts/adminExports';
import { errorData, errors, toTRPCError } from '../../errors';
import type { Logger } from '../../logger';
import { authenticateAdmin, bearerTokenOf } from '../auth/adminIdentity';
import { roleAllows } from '../auth/permissions';
import { bookingsExport, rosterExport } from './exportRows';

export interface ExportDeps {
  config: Config;
  db: Executor;
  logger: Logger;
}

/** Admins with bookings.export only, by the same bearer token as the admin procedures. */
async function requireExporter(req: Request, config: Config) {
  const admin = await authenticateAdmin(bearerTokenOf(req), config.admin);
  if (!admin.role || !roleAllows(admin.role, 'bookings.export')) throw errors.adminForbidden('bookings.export');
  return admin;
}

function parsed<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new TRPCError({ code: 'BAD_REQUEST', message: 'Invalid input', cause: result.error });
  return result.data;
}

/** A refusal before the first byte: the status and JSON body a procedure would answer with. */
function refuse(res: Response, err: unknown, logger: Logger) {
  const error = err instanceof TRPCError && err.cause instanceof ZodError ? err : toTRPCError(err);
  if (error.code === 'INTERNAL_SERVER_ERROR') logger.error({ err: error.cause ?? error }, 'admin export failed');
  const { message, data } = errorData(error);
  res.status(getHTTPStatusCodeFromError(error)).json({ error: { message: message ?? error.message, ...data } });
}

/**
 * Streams `records` as CSV: the stringifier pulls rows as the client reads (backpressure through
 * the pipeline), so memory stays bounded whatever the range. Every cell beginning with = + - @ (or a
 * tab or carriage return) is prefixed with a quote, so a spreadsheet shows it as text, never runs it.
 */
async function sendCsv(res: Response, { name, records }: { name: string; records: AsyncIterable<string[]> }) {
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
  res.setHeader('Cache-Control', 'no-store');
  await pipeline(Readable.from(records), stringify({ bom: true, escape_formulas: true }), res);
}

/**
 * GET /api/admin/exports/roster/:examId.csv and /api/admin/exports/bookings.csv?from=&to=: CSV made on
 * the server from the database. A failure after the first byte can only cut the download short
 * (the connection is destroyed, never a file that looks complete).
 */
export function adminExportRoutes({ config, db, logger }: ExportDeps) {
  const routes = express.Router();
  routes.get('/roster/:file', async (req, res) => {
    try {
      await requireExporter(req, config);
      const file = req.params.file;
      if (!file.endsWith('.csv')) throw errors.examNotFound();
      const { examId } = parsed(rosterExportInput, { examId: file.slice(0, -'.csv'.length) });
      await sendCsv(res, await rosterExport(db, examId));
    } catch (err) {
      if (!res.headersSent) refuse(res, err, logger);
      else logger.error({ err }, 'admin export cut short');
    }
  });
  routes.get('/bookings.csv', async (req, res) => {
    try {
      await requireExporter(req, config);
      const range = parsed(bookingsExportInput, { from: req.query.from, to: req.query.to });
      await sendCsv(res, bookingsExport(db, range));
    } catch (err) {
      if (!res.headersSent) refuse(res, err, logger);
      else logger.error({ err }, 'admin export cut short');
    }
  });
  return routes;
}
