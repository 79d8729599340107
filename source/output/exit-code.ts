/** The exit code both non-interactive front-ends report for a doctor run. */
import { ExitCode } from '../core/exit-codes.ts';
import { doctorExitCode } from '../core/run-checks.ts';
import type { DoctorSummary } from '../core/types.ts';

/** 130 when cancelled, otherwise `doctorExitCode` (warnings pass unless `strict`). */
export function doctorRunExitCode(summary: DoctorSummary, strict: boolean, cancelled: boolean): number {
  return cancelled ? ExitCode.Cancelled : doctorExitCode(summary, strict);
}
