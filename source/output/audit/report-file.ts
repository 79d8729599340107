/**
 * `--out FILE`: the report written as the audit runs, with memory flat in the number of pairs. Pairs
 * are appended to one scratch file per verdict next to the report as they finish; at the end the
 * report is put together (head, summary, the groups in verdict order, the apps), written beside the
 * target and renamed over it, so a reader never sees half a report. `.json` streams the same
 * document as `--json`.
 */
import { closeSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ReportFile } from '../../audit/front-end.ts';
import type { AppEntry, AuditRequest } from '../../audit/types.ts';
import { VERDICTS, type Verdict } from '../../audit/verdict.ts';
import { AuditDocumentWriter, documentHead } from './document.ts';
import {
  HTML_END,
  HTML_GROUP_END,
  htmlApps,
  htmlGroupHead,
  htmlHead,
  htmlPairRow,
  htmlSummary,
} from './html.ts';
import { mdApps, mdGroupHead, mdHead, mdPair, mdSummary } from './markdown.ts';

export type ReportFormat = 'html' | 'md' | 'json';

/** The format a report file's name asks for, or undefined for an extension the audit cannot write. */
export function reportFormatOf(path: string): ReportFormat | undefined {
  const extension = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase();
  if (extension === 'html' || extension === 'htm') return 'html';
  if (extension === 'md' || extension === 'markdown') return 'md';
  if (extension === 'json') return 'json';
  return undefined;
}

export type { ReportFile };

export function openReportFile(
  path: string,
  request: AuditRequest,
  header: { tool: string; version: string },
  startedAt: Date,
): ReportFile {
  const format = reportFormatOf(path)!;
  const scratch = (part: string) => join(dirname(path), `.${basename(path)}.${process.pid}.${part}`);
  const assembled = scratch('whole');
  if (format === 'json') {
    const fd = openSync(assembled, 'w', 0o644);
    const writer = new AuditDocumentWriter((text) => writeSync(fd, text), documentHead(header, request));
    let closed = false;
    const close = () => {
      if (!closed) closeSync(fd);
      closed = true;
    };
    return {
      pair: (pair) => writer.pair(pair),
      app: (entry) => writer.app(entry),
      finish(summary, problem, exitCode) {
        writer.end(summary, problem, exitCode);
        close();
        renameSync(assembled, path);
      },
      discard() {
        close();
        rmSync(assembled, { force: true });
      },
    };
  }
  const groups = new Map<Verdict, { file: string; fd: number; count: number }>();
  for (const verdict of VERDICTS) {
    const file = scratch(verdict);
    groups.set(verdict, { file, fd: openSync(file, 'w', 0o600), count: 0 });
  }
  const apps: AppEntry[] = [];
  let closed = false;
  const closeGroups = () => {
    if (closed) return;
    closed = true;
    for (const group of groups.values()) closeSync(group.fd);
  };
  const removeGroups = () => {
    for (const group of groups.values()) rmSync(group.file, { force: true });
  };
  return {
    pair(pair) {
      const group = groups.get(pair.verdict)!;
      writeSync(group.fd, format === 'html' ? htmlPairRow(pair) : mdPair(pair));
      group.count += 1;
    },
    app(entry) {
      apps.push(entry);
    },
    finish(summary, problem, exitCode) {
      closeGroups();
      const out = openSync(assembled, 'w', 0o644);
      try {
        const html = format === 'html';
        writeSync(
          out,
          html ? htmlHead(request, header.version, startedAt) : mdHead(request, header.version, startedAt),
        );
        writeSync(
          out,
          html ? htmlSummary(summary, problem, exitCode) : mdSummary(summary, problem, exitCode),
        );
        for (const verdict of VERDICTS) {
          const group = groups.get(verdict)!;
          if (group.count === 0) continue;
          writeSync(out, html ? htmlGroupHead(verdict, group.count) : mdGroupHead(verdict, group.count));
          copyInto(out, group.file);
          if (html) writeSync(out, HTML_GROUP_END);
          else writeSync(out, '\n');
        }
        writeSync(out, html ? htmlApps(apps) : mdApps(apps));
        if (html) writeSync(out, HTML_END);
      } finally {
        closeSync(out);
        removeGroups();
      }
      renameSync(assembled, path);
    },
    discard() {
      closeGroups();
      removeGroups();
      rmSync(assembled, { force: true });
    },
  };
}

/** Appends a scratch file to `out` in chunks (never the whole file in memory). */
function copyInto(out: number, file: string): void {
  const fd = openSync(file, 'r');
  const buffer = Buffer.alloc(64 * 1024);
  try {
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      writeSync(out, buffer, 0, read);
    }
  } finally {
    closeSync(fd);
  }
}
