// `pnpm bench`: runs every compiled benchmark (bench/dist/*.bench.js), or those named.
const { existsSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

async function main() {
  const dir = join(__dirname, 'dist');
  if (!existsSync(dir)) {
    console.log('no benchmarks built (pnpm build compiles bench/*.bench.ts)');
    return;
  }
  const wanted = process.argv.slice(2);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.bench.js'))
    .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)));
  if (files.length === 0) {
    console.log('no benchmarks found');
    return;
  }
  for (const file of files) {
    console.log(`\n# ${file.replace(/\.bench\.js$/, '')}`);
    await require(join(dir, file)).run();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
