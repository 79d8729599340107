// The licence notices of every third-party package esbuild put into the bundle, read from the build's
// metafile (every input file under node_modules/ names its package). The bundle is minified with
// legalComments 'none', so this file is where those packages' copyright and licence texts travel:
// dist/THIRD_PARTY_NOTICES.txt, packed with the rest of dist/.
//
// A package's text is, in order: its licence files (LICENSE, LICENCE, COPYING, NOTICE, any case
// and extension); else the licence section of its README; else, for an MIT package, the MIT licence
// with the copyright line its own sources carry. A package with none of these stops the build:
// shipping it without its notice is not an option.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const LICENCE_FILE = /^(licen[cs]e|copying|notice)(\.|-|$)/i;

const MIT = `Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.`;

/**
 * The package directories (relative to `root`) of the metafile's inputs: `node_modules/x`,
 * `node_modules/@scope/x`, nested `node_modules/a/node_modules/b`.
 * @param {{ inputs: Record<string, unknown> }} metafile
 * @returns {string[]}
 */
export function bundledPackageDirs(metafile) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const at = input.lastIndexOf('node_modules/');
    if (at < 0) continue;
    const [first, second] = input.slice(at + 'node_modules/'.length).split('/');
    if (!first || (first.startsWith('@') && !second)) continue;
    const name = first.startsWith('@') ? `${first}/${second}` : first;
    dirs.add(`${input.slice(0, at)}node_modules/${name}`);
  }
  return [...dirs].sort();
}

/** The licence section of a README (its heading to the next heading of the same or a higher level). */
function readmeLicence(dir) {
  const readme = readdirSync(dir).find((name) => /^readme(\.|$)/i.test(name));
  if (!readme) return undefined;
  const lines = readFileSync(join(dir, readme), 'utf8').split('\n');
  const start = lines.findIndex((line) => /^#{1,6}\s*licen[cs]e\b/i.test(line));
  if (start < 0) return undefined;
  const level = /^#+/.exec(lines[start])[0].length;
  let end = lines.length;
  for (let i = start + 1; i < lines.length; i++) {
    const heading = /^(#+)\s/.exec(lines[i]);
    if (heading && heading[1].length <= level) {
      end = i;
      break;
    }
  }
  const text = lines
    .slice(start + 1, end)
    .join('\n')
    .trim();
  return /copyright|permission|licen[cs]e/i.test(text) ? text : undefined;
}

/** The first "Copyright ..." line in the package's own sources (for a package that ships no text). */
function copyrightLine(dir, depth = 0) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory() && depth < 3) {
      const found = copyrightLine(path, depth + 1);
      if (found) return found;
    } else if (entry.isFile() && /\.(c|m)?(j|t)sx?$/.test(entry.name)) {
      const match = /Copyright \(c\)[^\n*"\\]*/i.exec(readFileSync(path, 'utf8'));
      if (match) return match[0].trim();
    }
  }
  return undefined;
}

/** A package's notice text and where it came from (see the top of this file), or undefined. */
function noticeOf(root, absolute, license) {
  const files = readdirSync(absolute)
    .filter((name) => LICENCE_FILE.test(name))
    .sort();
  if (files.length > 0) {
    return {
      text: files.map((name) => readFileSync(join(absolute, name), 'utf8').trim()).join('\n\n'),
      from: files.map((name) => relative(root, join(absolute, name))).join(', '),
    };
  }
  const section = readmeLicence(absolute);
  if (section) return { text: section, from: `the licence section of ${relative(root, absolute)}'s README` };
  const copyright = license === 'MIT' ? copyrightLine(absolute) : undefined;
  if (copyright) {
    return {
      text: `MIT License\n\n${copyright}\n\n${MIT}`,
      from: 'the MIT licence its package.json names, with the copyright line of its sources',
    };
  }
  return undefined;
}

/**
 * The notices of every package in `dirs`, one block each (a package found at two places with the
 * same version is listed once). Throws naming every package without a notice.
 * @param {string} root the directory the metafile's paths are relative to
 * @param {string[]} dirs
 * @returns {{ text: string, packages: { name: string, version: string, license: string, from: string }[] }}
 */
export function thirdPartyNotices(root, dirs) {
  const seen = new Map();
  const missing = [];
  for (const dir of dirs) {
    const absolute = join(root, dir);
    const manifest = JSON.parse(readFileSync(join(absolute, 'package.json'), 'utf8'));
    const key = `${manifest.name}@${manifest.version}`;
    if (seen.has(key)) continue;
    const license = typeof manifest.license === 'string' ? manifest.license : 'see below';
    const notice = noticeOf(root, absolute, license);
    if (!notice) {
      missing.push(`${key} (${dir})`);
      continue;
    }
    seen.set(key, { name: manifest.name, version: manifest.version, license, ...notice });
  }
  if (missing.length > 0) {
    throw new Error(
      `No licence notice found for bundled package(s): ${missing.join(', ')}. ` +
        'Add the text to scripts/lib/notices.mjs or stop bundling the package.',
    );
  }
  const packages = [...seen.values()].sort(
    (a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version),
  );
  const rule = '='.repeat(78);
  const text = [
    'Third-party software bundled in sc-doctor',
    '',
    `dist/ contains code from the ${packages.length} packages below (bundled and minified by esbuild).`,
    'Each is listed with its version, its licence and the notice its authors ship with it.',
    '',
    ...packages.flatMap((p) => [
      rule,
      `${p.name} ${p.version} (${p.license})`,
      `Notice from ${p.from}:`,
      '',
      p.text,
      '',
    ]),
  ].join('\n');
  return { text, packages: packages.map(({ text: _text, ...rest }) => rest) };
}
