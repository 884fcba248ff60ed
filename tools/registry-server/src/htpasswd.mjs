import { writeFile } from 'node:fs/promises';
import { runCommand } from './run-command.mjs';

/**
 * Writes an htpasswd file with one bcrypt entry per user; distribution accepts only bcrypt hashes.
 * Uses `htpasswd -Bbn` from Debian's apache2-utils (`-C 4` keeps hashing fast; it is a test fixture).
 *
 * @param {string} file path of the htpasswd file to write
 * @param {Readonly<Record<string, string>>} users user name → password
 * @param {{ signal?: AbortSignal | undefined }} [options]
 * @returns {Promise<void>}
 */
export async function writeHtpasswd(file, users, options = {}) {
  const lines = [];
  for (const [name, password] of Object.entries(users)) {
    const line = await runCommand('htpasswd', ['-Bbn', '-C', '4', name, password], options).catch((cause) => {
      throw new Error('htpasswd failed: is apache2-utils installed?', { cause });
    });
    lines.push(line.trim());
  }
  await writeFile(file, `${lines.join('\n')}\n`, { mode: 0o600 });
}
