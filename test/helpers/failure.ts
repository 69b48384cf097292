import { type AppErrorCode, isAppError } from '../../client/src';

export interface ErrorData {
  appCode: AppErrorCode;
  httpStatus: number;
  fieldErrors?: Record<string, string[]>;
  details?: Record<string, unknown>;
}

/** The error data a call fails with; fails the test if the call succeeds or fails without an appCode. */
export async function failure(call: Promise<unknown>): Promise<ErrorData> {
  const err = await call.then(
    (value) => {
      throw new Error(`expected an error, got ${JSON.stringify(value)}`);
    },
    (e: unknown) => e,
  );
  if (!isAppError(err)) throw err;
  return err.data as unknown as ErrorData;
}
