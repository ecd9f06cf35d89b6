'use strict';
/**
 * Lets Node run the TypeScript bench directly: `node -r ./bench/register.js bench/run.ts`.
 *
 * - `.ts` files are transpiled in memory by @swc/core (already installed for Jest); no type
 *   checking here, `npm run lint` type-checks bench/ with the rest of the repository.
 * - Every module under `src/` is loaded from its compiled twin under `dist/` instead, so the bench
 *   measures exactly the code `npm start` runs, and the in-process parts and the child processes
 *   share one copy of thaw. `npm run build` must have run first.
 */
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');
const swc = require('@swc/core');

const ROOT = path.resolve(__dirname, '..');
const SRC = path.join(ROOT, 'src') + path.sep;
const DIST = path.join(ROOT, 'dist') + path.sep;

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveSrcToDist(request, parent, ...rest) {
  const resolved = resolveFilename.call(this, request, parent, ...rest);
  if (!resolved.startsWith(SRC)) return resolved;
  const compiled = DIST + resolved.slice(SRC.length).replace(/\.ts$/, '.js');
  if (!fs.existsSync(compiled)) throw new Error(`${compiled} is missing: run \`npm run build\` first`);
  return compiled;
};

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
