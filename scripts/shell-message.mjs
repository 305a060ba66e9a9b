// The one line both install and start print when Electron's binary is not available here.
export const SHELL_UNAVAILABLE =
  'Desktop shell unavailable here (the Electron binary cannot be downloaded: offline or CI) — `npm run serve` gives the same UI in a browser.';
