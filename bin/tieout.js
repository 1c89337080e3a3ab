#!/usr/bin/env node
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const bundle = join(__dirname, '..', 'out', 'engine', 'tieout.js');
if (!existsSync(bundle)) {
  process.stderr.write('tieout: the engine is not built yet. Run `npm run build` (or `npm start`) first.\n');
  process.exit(2);
}
const { main } = require(bundle);
main(process.argv.slice(2), { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) }).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`tieout: ${e && e.message ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
