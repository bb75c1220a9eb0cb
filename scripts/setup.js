// `npm run setup`: what a fresh machine (Node and npm only) needs before `pnpm start` / `pnpm test`:
// the pinned pnpm, then the workspace's dependencies (whose postinstall builds the TypeScript).
const { execSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const PNPM_VERSION = '12.21.0';
const run = (command, env = {}) => execSync(command, { stdio: 'inherit', env: { ...process.env, ...env } });

let installed = '';
try {
  installed = execSync('pnpm --version', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
} catch {
  // not installed yet
}
if (installed !== PNPM_VERSION) run(`npm i -g pnpm@${PNPM_VERSION}`);

// better-sqlite3 falls back to a source build where its prebuilt binary cannot be downloaded, and
// node-gyp would then download Node's headers too. Point it at the headers this Node ships with
// (pnpm does not pass npmrc's nodedir on).
const env = {};
const prefix = path.resolve(process.execPath, '..', '..');
if (!process.env.npm_config_nodedir && existsSync(path.join(prefix, 'include', 'node', 'node.h'))) {
  env.npm_config_nodedir = prefix;
}
run(`pnpm install ${process.argv.slice(2).join(' ')}`.trim(), env);
