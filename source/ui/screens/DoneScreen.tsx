import { Box, Text } from 'ink';
import { useReducer } from 'react';
import type { Clipboard } from '../../services/clipboard.ts';
import type { ConnectionCode } from '../../setup/snippets-hook.ts';
import { KeyHints } from '../components/KeyHints.tsx';
import { type ScreenLine, ScrollView } from '../components/ScrollView.tsx';
import { useDoneKeys } from '../hooks/use-done-keys.ts';
import { FileExistsError, type SaveFile, saveFailure } from '../save-file.ts';
import { type CodePage, codePages, doneReducer, initialDoneState } from '../state/done-state.ts';
import { scrollWindow } from '../state/scroll.ts';
import { CUT_MARK, commandRows, cutLine, proseLines } from '../text/fit.ts';

export const DONE_KEY_HINTS = '←→ page  ↑↓ scroll  c copy  w save  q quit';
const REPLACE_KEY_HINTS = 'y replace it  n keep it';

export interface DoneScreenProps {
  code: ConnectionCode | null;
  /** Lines said when there is no code to show (what was done). */
  summary: string[];
  focused: boolean;
  color: boolean;
  clipboard: Clipboard;
  saveFile: SaveFile;
  onQuit(): void;
  /** Terminal size: the screen stays shorter than `rows` and no line is wider than `columns`. */
  columns: number;
  rows: number;
}

/**
 * The connection code after a setup: the settings written, the dependencies and each file on a page
 * of its own, scrollable, never wrapped (a line too wide is cut with `›`; `c` copies and `w` saves
 * the generator's bytes whole). No border characters, so a terminal selection copies clean text.
 */
export function DoneScreen({
  code,
  summary,
  focused,
  color,
  clipboard,
  saveFile,
  onQuit,
  columns,
  rows,
}: DoneScreenProps) {
  const [state, dispatch] = useReducer(doneReducer, initialDoneState);
  const pages = code ? codePages(code) : [];
  const page: CodePage | undefined = pages[state.page];
  const heading = headingLines(code ? code.headline : summary.join('\n'), columns);
  const said = state.replacing
    ? `${state.replacing.path} already exists. Replace it? The old one is kept as a .bak file.`
    : state.notice;
  const saidLines = said ? proseLines(said, columns) : [];
  // Heading, tabs, page title, the status lines (one at least), key hints, and one spare row.
  const height = Math.max(3, rows - heading.length - Math.max(1, saidLines.length) - 4);
  const cut = (page?.lines ?? []).map((line) => cutLine(line, columns));
  const body: ScreenLine[] = cut.map(({ text }) => ({ text }));
  const window = scrollWindow(body.length, height, state.offset);
  const cutShown = cut.slice(window.start, window.end).some((line) => line.cut);
  const status =
    saidLines.length > 0
      ? saidLines
      : cutShown
        ? proseLines(`${CUT_MARK} marks a line cut at the edge: c and w keep it whole.`, columns)
        : [];

  const save = (replace: boolean) => {
    const file = page?.file;
    if (!file) return;
    saveFile(file.fileName, file.content, { replace }).then(
      (saved) =>
        dispatch({
          type: 'notice',
          text: saved.keptAs
            ? `Saved ${file.fileName} to ${saved.path}; the old one is kept as ${saved.keptAs}.`
            : `Saved ${file.fileName} to ${saved.path}.`,
        }),
      (error: unknown) =>
        error instanceof FileExistsError
          ? dispatch({ type: 'ask-replace', fileName: file.fileName, path: error.path })
          : dispatch({ type: 'notice', text: `Could not save ${file.fileName}: ${saveFailure(error)}.` }),
    );
  };
  useDoneKeys(
    {
      move: (delta) => dispatch({ type: 'select', delta, count: pages.length }),
      scroll: (key) => dispatch({ type: 'scroll', key, total: body.length, height }),
      copy: () => {
        if (!page) return;
        const what = page.file ? page.file.fileName : `the ${page.tab.toLowerCase()}`;
        clipboard.copy(page.copy).then(
          (result) => dispatch({ type: 'notice', text: `Copied ${what} with ${result.via}.` }),
          (error: unknown) =>
            dispatch({
              type: 'notice',
              text: `Could not copy ${what}: ${error instanceof Error ? error.message : String(error)}.`,
            }),
        );
      },
      save: () => {
        if (page?.file) save(false);
        else if (page) dispatch({ type: 'notice', text: 'Only a file can be saved: → shows one.' });
      },
      answer: (replace) => {
        dispatch({ type: 'answered' });
        if (replace) save(true);
        else dispatch({ type: 'notice', text: 'Nothing was saved; the file there is unchanged.' });
      },
      quit: onQuit,
    },
    { isActive: focused, asking: state.replacing !== null },
  );

  return (
    <Box flexDirection="column" width={columns}>
      {heading.map((line, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: heading lines can repeat
        <Text key={index} bold={index === 0}>
          {line}
        </Text>
      ))}
      {page ? (
        <>
          <Text wrap="truncate-end">{tabLine(pages, state.page)}</Text>
          <Text bold color={color ? 'cyan' : undefined} wrap="truncate-end">
            {page.title}
          </Text>
          <ScrollView lines={body} height={height} offset={state.offset} color={color} />
        </>
      ) : null}
      {status.length > 0 ? (
        <Text color={color ? (state.replacing ? 'yellow' : said ? 'green' : undefined) : undefined}>
          {status.join('\n')}
        </Text>
      ) : null}
      <KeyHints
        hints={state.replacing ? REPLACE_KEY_HINTS : code ? DONE_KEY_HINTS : 'q quit'}
        color={color}
      />
    </Box>
  );
}

/** `[App settings]  Dependencies  db.js`: the page shown in brackets (the colour is extra, never the only sign). */
function tabLine(pages: readonly CodePage[], selected: number): string {
  return pages.map((page, index) => (index === selected ? `[${page.tab}]` : ` ${page.tab} `)).join(' ');
}

/** The headline and what a hand-off leaves to do: prose wrapped, indented commands continued. */
function headingLines(text: string, columns: number): string[] {
  return text
    .split('\n')
    .flatMap((line) =>
      /^ {2}\S/.test(line) ? commandRows(line.trimStart(), columns, '  ') : proseLines(line, columns),
    );
}
