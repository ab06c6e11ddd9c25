#!/usr/bin/env node
// Thin launcher: the compiled entry point lives in dist/ (built by `npm ci` through `prepare`).
import { main } from '../dist/src/main.js';

main(process.argv).catch((err) => {
  process.stderr.write(`fosip: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
