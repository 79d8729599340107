import { Box, Text } from 'ink';
import { useReducer } from 'react';
import type { Clipboard } from '../../services/clipboard.ts';
import type { ConnectionCode, SnippetFile } from '../../setup/snippets-hook.ts';
import { KeyHints } from '../components/KeyHints.tsx';
import { useDoneKeys } from '../hooks/use-done-keys.ts';
import { doneReducer, initialDoneState } from '../state/done-state.ts';

export const DONE_KEY_HINTS = '←→ language  c copy  w save  q quit';

export interface DoneScreenProps {
  code: ConnectionCode | null;
  /** Lines said when there is no code to show (what was done). */
  summary: string[];
  focused: boolean;
  color: boolean;
  clipboard: Clipboard;
  saveFile: (fileName: string, content: string) => Promise<string>;
  onQuit(): void;
}

/** The text `c` copies and the scrollback gets on exit: the settings, then the shown file. */
export function copyText(code: ConnectionCode, file: SnippetFile | undefined): string {
  const settings = code.settings.map((s) => `${s.name}=${s.value}`);
  return [...settings, ...(file ? [file.content] : [])].join('\n');
}

/**
 * The connection code after a setup: the app settings written and the code that reads them, without
 * border characters so a terminal selection copies clean text.
 */
export function DoneScreen({ code, summary, focused, color, clipboard, saveFile, onQuit }: DoneScreenProps) {
  const [state, dispatch] = useReducer(doneReducer, initialDoneState);
  const files = code?.files ?? [];
  const file = files[state.selected];
  useDoneKeys(
    {
      move: (delta) => dispatch({ type: 'select', delta, count: files.length }),
      copy: () => {
        if (!code) return;
        clipboard.copy(copyText(code, file)).then(
          (result) => dispatch({ type: 'notice', text: `copied (${result.via})` }),
          (error: unknown) => dispatch({ type: 'notice', text: `could not copy: ${String(error)}` }),
        );
      },
      save: () => {
        if (!file) return;
        saveFile(file.fileName, file.content).then(
          (where) => dispatch({ type: 'notice', text: `saved to ${where}` }),
          (error: unknown) =>
            dispatch({
              type: 'notice',
              text: `could not save: ${error instanceof Error ? error.message : String(error)}`,
            }),
        );
      },
      quit: onQuit,
    },
    { isActive: focused },
  );
  return (
    <Box flexDirection="column">
      {code ? (
        <>
          <Text bold>{code.headline}</Text>
          {code.settings.length > 0 ? (
            <Text>{`App settings written:  ${code.settings.map((s) => s.name).join(', ')}`}</Text>
          ) : null}
          {file ? (
            <>
              <Text bold color={color ? 'cyan' : undefined}>
                {file.title}
              </Text>
              <Text>{file.content}</Text>
            </>
          ) : null}
        </>
      ) : (
        summary.map((line) => <Text key={line}>{line}</Text>)
      )}
      {state.notice ? <Text color={color ? 'green' : undefined}>{state.notice}</Text> : null}
      <KeyHints hints={code ? DONE_KEY_HINTS : 'q quit'} color={color} />
    </Box>
  );
}
