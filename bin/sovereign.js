#!/usr/bin/env node
// The `sovereign` command; the compiled CLI lives in dist/ (built by `npm ci` through the prepare script).
import('../dist/cli/main.js')
  .then((cli) => cli.main(process.argv))
  .catch((error) => {
    if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist')) {
      console.error('sovereign: the gateway is not built yet; run `npm ci` (or `npm run build`) first.');
    } else {
      console.error(error);
    }
    process.exit(1);
  });
