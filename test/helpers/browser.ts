/**
 * A real headless browser for the tests: Debian's Chromium (test/servers/install.sh installs it),
 * driven by playwright-core, started with the flags that keep it off the network (the machine notes:
 * no background networking, no component updates, no sync; Playwright gives every launch a fresh
 * empty profile of its own). Every request the page
 * makes is recorded, so a test can prove a report loads nothing from anywhere.
 */
import { pathToFileURL } from 'node:url';

/**
 * The browser binary itself, not Debian's /usr/bin/chromium wrapper: the wrapper adds the flags of
 * /etc/chromium.d, among them `--enable-remote-extensions`, whose update check asks DNS for
 * update.googleapis.com (the test namespace refuses and reports that).
 */
export const CHROMIUM = '/usr/lib/chromium/chromium';

export interface OpenedPage {
  page: import('playwright-core').Page;
  /** Every URL the page asked for, the document's own first. */
  requests: string[];
  close(): Promise<void>;
}

/** Opens a local file in headless Chromium. */
export async function openFileInChromium(path: string): Promise<OpenedPage> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-default-apps',
      '--disable-extensions',
      '--no-pings',
      '--disable-domain-reliability',
      '--disable-client-side-phishing-detection',
      // No host name is ever looked up: a background service that still tries (the component
      // updater asks for update.googleapis.com) fails inside the browser, not in the machine's DNS.
      '--host-resolver-rules=MAP * ~NOTFOUND',
    ],
  });
  const page = await browser.newPage();
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
  return {
    page,
    requests,
    close: async () => {
      await browser.close();
    },
  };
}
