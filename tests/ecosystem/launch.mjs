// Headless Chromium as the page tests start it: Debian's binary, nothing
// fetched or updated in the background.
import { chromium } from 'playwright-core';

export function launch(executablePath) {
  return chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
           '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}
