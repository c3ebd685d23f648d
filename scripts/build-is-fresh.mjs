// Whether dist/ and web/dist/ were built from the sources as they are now: `npm start` skips
// the build when they were, so that a restart takes a second, not ten.
//   node scripts/build-is-fresh.mjs           exits 0 when fresh, 1 when a build is due
//   node scripts/build-is-fresh.mjs --record  notes that the current sources were just built
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

const STAMP = 'dist/.built-from';
// Everything a build reads: the server's sources, the desk's (which imports the server's
// domain value lists), their configurations and the installed packages' versions.
const INPUTS = ['src', 'migrations', 'web/src', 'web/index.html', 'web/vite.config.ts', 'web/tsconfig.json', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

function filesUnder(path) {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((entry) => filesUnder(join(path, entry)));
}

// By content, not by time: a checkout or a copy may give an old file a new time, or the reverse.
const sources = createHash('sha256');
for (const file of INPUTS.flatMap(filesUnder)) sources.update(`${file}\0`).update(readFileSync(file));
const digest = sources.digest('hex');

if (process.argv.includes('--record')) {
  writeFileSync(STAMP, `${digest}\n`);
} else {
  const built = existsSync(STAMP) && existsSync('web/dist/index.html') ? readFileSync(STAMP, 'utf8').trim() : undefined;
  process.exit(built === digest ? 0 : 1);
}
