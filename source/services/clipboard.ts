/**
 * Copies text to the system clipboard: the platform's own tool when there is one (pbcopy, clip.exe,
 * wl-copy, xclip), else the OSC 52 escape, which terminals such as iTerm2, kitty, WezTerm, Windows
 * Terminal and tmux (set-clipboard on) turn into a copy, over SSH too.
 */
import { spawn } from 'node:child_process';

/** Runs a program with `input` on its stdin; resolves true when it exited 0. Never throws. */
export type FeedProgram = (file: string, args: string[], input: string) => Promise<boolean>;

export interface ClipboardOptions {
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  feed: FeedProgram;
  /** Where OSC 52 goes: the terminal (the interactive screen's stdout). */
  writeTerminal: (data: string) => void;
}

/** How the text was copied, for the screen to say. */
export type CopyResult = { via: string };

export interface Clipboard {
  copy(text: string): Promise<CopyResult>;
}

/** The tools worth trying here, in order. */
export function clipboardTools(
  platform: NodeJS.Platform,
  env: Readonly<Record<string, string | undefined>>,
): { file: string; args: string[] }[] {
  if (platform === 'darwin') return [{ file: 'pbcopy', args: [] }];
  if (platform === 'win32') return [{ file: 'clip.exe', args: [] }];
  const tools: { file: string; args: string[] }[] = [];
  if (env.WAYLAND_DISPLAY) tools.push({ file: 'wl-copy', args: [] });
  if (env.DISPLAY) tools.push({ file: 'xclip', args: ['-selection', 'clipboard'] });
  // WSL: the Windows clipboard is one exe away.
  if (env.WSL_DISTRO_NAME) tools.push({ file: 'clip.exe', args: [] });
  return tools;
}

/** The OSC 52 sequence that asks the terminal to put `text` on the clipboard. */
export function osc52(text: string): string {
  return `\u001b]52;c;${Buffer.from(text, 'utf8').toString('base64')}\u0007`;
}

export function createClipboard(options: ClipboardOptions): Clipboard {
  return {
    async copy(text) {
      for (const tool of clipboardTools(options.platform, options.env)) {
        if (await options.feed(tool.file, tool.args, text)) return { via: tool.file };
      }
      options.writeTerminal(osc52(text));
      return { via: 'OSC 52' };
    },
  };
}

/** The real `FeedProgram`: spawn without a shell, write stdin, wait for the exit. */
export const feedProgram: FeedProgram = (file, args, input) =>
  new Promise((resolve) => {
    try {
      const child = spawn(file, args, { stdio: ['pipe', 'ignore', 'ignore'] });
      child.on('error', () => resolve(false));
      child.on('exit', (code) => resolve(code === 0));
      child.stdin.on('error', () => {});
      child.stdin.end(input);
    } catch {
      resolve(false);
    }
  });
