import { accessSync, constants } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium by default; `KEYWARDEN_TEST_CHROMIUM` points at another binary. */
export const CHROMIUM_PATH = process.env.KEYWARDEN_TEST_CHROMIUM ?? '/usr/bin/chromium';

// No sandbox: CI containers run as root without user namespaces. The rest keeps Chromium from
// phoning home (updates, sync, field trials) so runs are quiet, offline-safe and repeatable.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the browser suites can run here. Without Chromium they fail under `CI` (the browser is
 * part of what CI must provide) and are skipped, with a visible warning, on a developer machine.
 *
 * @example
 * const chromiumReady = requireChromium('dashboard e2e');
 * describe.skipIf(!chromiumReady)('dashboard', () => { … });
 */
export function requireChromium(suite: string): boolean {
  if (isExecutable(CHROMIUM_PATH)) return true;
  const message =
    `${suite}: no Chromium at ${CHROMIUM_PATH}. Install Debian's package (apt-get install chromium) ` +
    'or set KEYWARDEN_TEST_CHROMIUM to a Chromium binary.';
  if (process.env.CI) throw new Error(`${message} The browser tests are required when CI is set.`);
  console.warn(`\n⚠️  SKIPPING ${message}\n`);
  return false;
}

/** Launches headless Chromium with the flags the suites rely on. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}
