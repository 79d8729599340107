/** How ARM said no: an error that names what was being done and Azure's code and message. */
import { type ArmResponse, armError } from './arm.ts';

/** How a write ended when Azure refused it or the operation did not succeed. */
export class ArmOperationError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'ArmOperationError';
  }
}

/** An `ArmOperationError` naming Azure's code and message for a 4xx/5xx answer. */
export function refusal(response: ArmResponse, what: string): ArmOperationError {
  const error = armError(response.body);
  return new ArmOperationError(
    `${what}: Azure answered ${response.status}${error ? ` ${error.code}: ${error.message}` : ''}`,
    response.status,
    error?.code,
  );
}
