/** A typed target from target flags, as the CLI parses them (`parseTarget`); throws on a bad flag. */
import type { DatabaseKind } from '../../source/databases/kind.ts';
import { type DoctorTarget, parseTarget, type TargetFlags } from '../../source/doctor/target.ts';

export function typedTarget(flags: TargetFlags, kind?: DatabaseKind): DoctorTarget {
  const parsed = parseTarget(flags, kind);
  if (!parsed.ok) throw new Error(`${parsed.problem.flag}: ${parsed.problem.message}`);
  return parsed.target;
}
