/** Playwright launch options for the machine's Chromium (`CHROMIUM_PATH`, default /usr/bin/chromium). */
export declare const chromiumLaunchOptions: { executablePath: string; args: string[] };
