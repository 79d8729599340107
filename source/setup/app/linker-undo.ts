/**
 * Undoing `service-connector`, in the run or from the journal: the linker is deleted only while it is
 * still the one this run made, and the settings it wrote over are put back; or the commands that do
 * it by hand.
 */
import { readArm } from '../../azure/arm-calls.ts';
import { writeArm } from '../../azure/arm-write.ts';
import { commandLine } from '../../core/command-line.ts';
import type { Services } from '../../core/services.ts';
import type { Step } from '../../engine/step.ts';
import { API } from '../input.ts';
import { AZ_GROUP } from './linker-plan.ts';
import type { LinkerRecord } from './service-connector.ts';
import { manualRestore, readPlace, writePlace } from './settings-store.ts';
/** The commands that reverse the step by hand. */
export function manualServiceConnector(record: LinkerRecord): string[] {
  // Journals written before `place` was recorded: the group follows from the linker's id.
  const group = record.place ? AZ_GROUP[record.place.kind] : connectionGroupOf(record.linker);
  const connection = record.replaced
    ? commandLine([
        'az',
        'rest',
        '--method',
        'put',
        '--url',
        `${record.linker}?api-version=${API.linker}`,
        '--body',
        JSON.stringify({ properties: record.replaced }),
      ])
    : commandLine(['az', group, 'connection', 'delete', '--id', record.linker, '--yes']);
  return [
    connection,
    ...(record.place && record.previous ? manualRestore(record.place, record.previous) : []),
  ];
}

/** The az command group whose `connection` commands manage a linker on this app (from its id). */
function connectionGroupOf(linker: string): string {
  if (/\/Microsoft\.AppPlatform\/Spring\//i.test(linker)) return 'spring';
  return /\/Microsoft\.App\/containerApps\//i.test(linker) ? 'containerapp' : 'webapp';
}

export async function undoServiceConnector(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  record: LinkerRecord,
): Promise<Awaited<ReturnType<Step['undo']>>> {
  const found = await readArm(
    services,
    record.linker,
    API.linker,
    `reading the connection ${record.name}`,
    ctx.signal,
  );
  if (!found) {
    // Deleted by someone else: Azure took its settings with it; what was there before comes back.
    const restored = await putBackAbsent(services, ctx, record);
    return restored
      ? { status: 'undone' }
      : { status: 'already-gone', reason: `the connection ${record.name} is gone` };
  }
  const userName = (found.properties as Record<string, any>)?.authInfo?.userName;
  if (userName !== undefined && userName !== record.userName)
    return { status: 'changed-since', reason: `the connection ${record.name} now logs in as ${userName}` };
  if (record.replaced)
    await writeArm(
      services,
      ctx,
      'PUT',
      record.linker,
      API.linker,
      { properties: record.replaced },
      `writing the connection ${record.name} back as it was`,
    );
  else
    await writeArm(
      services,
      ctx,
      'DELETE',
      record.linker,
      API.linker,
      undefined,
      `deleting the connection ${record.name}`,
    );
  await putBackAbsent(services, ctx, record);
  return { status: 'undone' };
}

/**
 * Puts back the settings the app had before the linker wrote over them, where they are now absent
 * (Azure deleted them with the linker). One set since by someone else is theirs: left as it is.
 */
async function putBackAbsent(
  services: Services,
  ctx: Parameters<Step['undo']>[0],
  record: LinkerRecord,
): Promise<boolean> {
  const { place, previous } = record;
  if (!place || !previous || Object.keys(previous).length === 0) return false;
  const now = await readPlace(services, place, ctx.signal);
  const absent = Object.fromEntries(Object.entries(previous).filter(([name]) => !(name in now)));
  if (Object.keys(absent).length === 0) return false;
  ctx.progress('putting the earlier settings back');
  await writePlace(services, ctx, place, absent, `putting back the earlier settings of ${place.appName}`);
  return true;
}
