// Debian's Chromium for every browser test (Playwright cannot download its own here).
// Background networking is off: this machine's closed network refuses those requests.

/** Playwright launch options for the machine's Chromium (`CHROMIUM_PATH`, default /usr/bin/chromium). */
export const chromiumLaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
  ],
};
