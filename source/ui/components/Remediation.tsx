import { Box, Text } from 'ink';
import type { NoteLine } from '../state/row-notes.ts';
import { noteLines, noteTextWidth, type RowLayout } from '../state/viewport.ts';

/**
 * The lines under a row: details across the width, then `fix` with its commands and `docs`, in a
 * label column. No border characters, so a terminal selection copies the commands clean.
 */
export function Remediation({
  notes,
  layout,
  color,
}: {
  notes: NoteLine[];
  layout: RowLayout;
  color: boolean;
}) {
  if (notes.length === 0) return null;
  return (
    <Box flexDirection="column" flexShrink={0} paddingLeft={layout.marker + layout.badge}>
      {notes.map((note, index) => (
        // Notes are positional and never reorder while shown.
        // biome-ignore lint/suspicious/noArrayIndexKey: see above
        <NoteRow key={index} note={note} layout={layout} color={color} />
      ))}
    </Box>
  );
}

function NoteRow({ note, layout, color }: { note: NoteLine; layout: RowLayout; color: boolean }) {
  const text = noteLines(note, noteTextWidth(layout, note)).join('\n');
  if (note.kind === 'detail' || note.kind === 'more') {
    return <Text dimColor={color && note.kind === 'more'}>{text}</Text>;
  }
  return (
    <Box flexShrink={0}>
      <Box width={layout.label} flexShrink={0}>
        <Text bold={note.kind === 'fix'}>{note.label}</Text>
      </Box>
      <Box flexGrow={1} flexShrink={1}>
        <Text
          color={color && note.kind === 'command' ? 'cyan' : undefined}
          dimColor={color && (note.kind === 'meta' || note.kind === 'command-label')}
        >
          {text}
        </Text>
      </Box>
    </Box>
  );
}
