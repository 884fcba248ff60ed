// Packaging checks for every publishable package: publint (strict) and are-the-types-wrong on the
// tarball pnpm would publish (so workspace:* ranges are rewritten as on a real release).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const packDir = mkdtempSync(join(tmpdir(), 'ferry-pack-'));
let failures = 0;
try {
  for (const dir of readdirSync(join(root, 'packages')).sort()) {
    const pkgDir = join(root, 'packages', dir);
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    if (pkg.private) continue;
    const run = (cmd, args) => {
      try {
        execFileSync(cmd, args, { cwd: pkgDir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
        return true;
      } catch (error) {
        process.stderr.write(
          `${pkg.name}: ${cmd} ${args.join(' ')} failed\n${error.stdout ?? ''}${error.stderr ?? ''}\n`,
        );
        return false;
      }
    };
    const out = execFileSync('pnpm', ['pack', '--pack-destination', packDir], { cwd: pkgDir, encoding: 'utf8' });
    const tarball = out.trim().split('\n').pop();
    const ok =
      run(join(root, 'node_modules/.bin/publint'), ['run', '--strict', '--pack', 'pnpm']) &&
      run(join(root, 'node_modules/.bin/attw'), [tarball, '--profile', 'esm-only', '--format', 'table-flipped']);
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${pkg.name}`);
    if (!ok) failures++;
  }
} finally {
  rmSync(packDir, { recursive: true, force: true });
}
process.exit(failures === 0 ? 0 : 1);
