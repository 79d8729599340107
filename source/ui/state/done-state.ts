/**
 * The connection-code screen's own state: which page is shown (the app settings, the dependencies,
 * each file), how far it is scrolled, what the last key did, and a save waiting for a yes.
 */
import type { ConnectionCode, SnippetFile } from '../../setup/snippets-hook.ts';
import { codeLines } from '../text/fit.ts';
import { type ScrollKey, scrollBy } from './scroll.ts';

/** One page of the code screen, with the exact text `c` copies. */
export interface CodePage {
  /** The page's name in the row of tabs, e.g. `db.js`. */
  tab: string;
  /** The line above its text, e.g. `nodejs · db.js`. */
  title: string;
  /** Its text as lines; never wrapped (the screen cuts and marks what does not fit). */
  lines: string[];
  /** What `c` copies: the generator's bytes. */
  copy: string;
  /** What `w` saves, for a page that is a file. */
  file: SnippetFile | null;
}

/** The pages in the order the tabs show them: settings, dependencies, then every file. */
export function codePages(code: ConnectionCode): CodePage[] {
  const pages: CodePage[] = [];
  if (code.settings.length > 0) {
    const lines = code.settings.map((setting) => `${setting.name}=${setting.value}`);
    pages.push({
      tab: 'App settings',
      title: 'App settings written',
      lines,
      copy: joined(lines),
      file: null,
    });
  }
  if (code.dependencies.length > 0) {
    const manifests = [...new Set(code.dependencies.map((dependency) => dependency.manifest))];
    const lines =
      manifests.length === 1
        ? code.dependencies.map((dependency) => dependency.entry)
        : code.dependencies.map((dependency) => `${dependency.manifest}: ${dependency.entry}`);
    pages.push({
      tab: 'Dependencies',
      title: `Dependencies · add to ${manifests.join(', ')}`,
      lines,
      copy: joined(lines),
      file: null,
    });
  }
  for (const file of code.files) {
    pages.push({
      tab: file.fileName,
      title: file.title,
      lines: codeLines(file.content),
      copy: file.content,
      file,
    });
  }
  return pages;
}

function joined(lines: readonly string[]): string {
  return `${lines.join('\n')}\n`;
}

export interface DoneState {
  page: number;
  /** First line shown of the page. */
  offset: number;
  /** `Copied db.js with pbcopy.`, `Saved db.js to ./db.js.`, or why that did not work. */
  notice: string | null;
  /** `w` found the file there already: the question waits for y or n. */
  replacing: { fileName: string; path: string } | null;
}

export type DoneAction =
  | { type: 'select'; delta: number; count: number }
  | { type: 'scroll'; key: ScrollKey; total: number; height: number }
  | { type: 'notice'; text: string }
  | { type: 'ask-replace'; fileName: string; path: string }
  | { type: 'answered' };

export const initialDoneState: DoneState = { page: 0, offset: 0, notice: null, replacing: null };

export function doneReducer(state: DoneState, action: DoneAction): DoneState {
  switch (action.type) {
    case 'select': {
      if (action.count === 0) return state;
      const page = (state.page + action.delta + action.count) % action.count;
      return { ...state, page, offset: 0, notice: null };
    }
    case 'scroll':
      return { ...state, offset: scrollBy(state.offset, action.key, action.total, action.height) };
    case 'notice':
      return { ...state, notice: action.text, replacing: null };
    case 'ask-replace':
      return { ...state, notice: null, replacing: { fileName: action.fileName, path: action.path } };
    case 'answered':
      return { ...state, replacing: null };
  }
}
