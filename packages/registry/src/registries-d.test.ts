import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isImageError } from '@ferry/types';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDockerImageName } from './docker-reference.ts';
import { loadRegistriesConfig, parseRegistriesFile, registriesDirPath } from './registries-d.ts';
import { signatureStorageFor } from './signature-storage.ts';

const ROOT = { euid: 0, home: '/home/u' };
const USER = { euid: 1000, home: '/home/u' };
const dirs: string[] = [];

async function configDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-registries-d-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('parseRegistriesFile', () => {
  it('reads default-docker and docker namespaces with every key', async () => {
    const config = await parseRegistriesFile(
      [
        'default-docker:',
        '  lookaside: file:///var/sigs',
        'docker:',
        '  quay.io/ns:',
        '    lookaside: https://sigs.example.com/quay',
        '    lookaside-staging: file:///srv/staging',
        '    use-sigstore-attachments: true',
      ].join('\n'),
      'a.yaml',
    );
    expect(config.defaultDocker).toEqual({ lookaside: 'file:///var/sigs' });
    expect(config.docker.get('quay.io/ns')).toEqual({
      lookaside: 'https://sigs.example.com/quay',
      lookasideStaging: 'file:///srv/staging',
      useSigstoreAttachments: true,
    });
  });

  it('takes the old names sigstore and sigstore-staging, the new ones winning', async () => {
    const config = await parseRegistriesFile(
      'docker:\n  a.io:\n    sigstore: file:///old\n    sigstore-staging: file:///old-staging\n' +
        '  b.io:\n    sigstore: file:///old\n    lookaside: file:///new\n',
      'old.yaml',
    );
    expect(config.docker.get('a.io')).toEqual({ lookaside: 'file:///old', lookasideStaging: 'file:///old-staging' });
    expect(config.docker.get('b.io')).toEqual({ lookaside: 'file:///new' });
  });

  it('ignores unknown keys and matches key names case-insensitively, as Go JSON decoding does', async () => {
    const config = await parseRegistriesFile(
      'privileged: yes\ndocker:\n  a.io:\n    Lookaside: file:///x\n    color: blue\n',
      'lenient.yaml',
    );
    expect(config.docker.get('a.io')).toEqual({ lookaside: 'file:///x' });
  });

  it('accepts an empty file and empty namespaces', async () => {
    expect((await parseRegistriesFile('', 'empty.yaml')).docker.size).toBe(0);
    const config = await parseRegistriesFile('default-docker:\ndocker:\n  a.io:\n', 'nulls.yaml');
    expect(config.defaultDocker).toBeUndefined();
    expect(config.docker.get('a.io')).toEqual({});
  });

  it('refuses malformed documents with ERR_INVALID_POLICY naming the file', async () => {
    for (const text of [
      '- a\n- b\n',
      'docker: [1]\n',
      'docker:\n  a.io:\n    use-sigstore-attachments: "maybe"\n',
      'a: [\n',
    ]) {
      await expect(parseRegistriesFile(text, '/etc/bad.yaml')).rejects.toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_POLICY', message: expect.stringContaining('/etc/bad.yaml') }),
      );
    }
  });
});

describe('loadRegistriesConfig', () => {
  it('merges the *.yaml files of a directory and ignores other files', async () => {
    const dir = await configDir({
      'a.yaml': 'docker:\n  a.io:\n    lookaside: file:///a\n',
      'b.yaml': 'default-docker:\n  lookaside: file:///default\ndocker:\n  b.io:\n    lookaside: file:///b\n',
      'c.yml': 'docker:\n  c.io:\n    lookaside: file:///c\n',
    });
    const config = await loadRegistriesConfig({ registriesDir: dir });
    expect([...config.docker.keys()].sort()).toEqual(['a.io', 'b.io']);
    expect(config.defaultDocker?.lookaside).toBe('file:///default');
  });

  it('treats a missing directory as an empty configuration', async () => {
    const config = await loadRegistriesConfig({ registriesDir: join(tmpdir(), 'ferry-no-such-dir-x') });
    expect(config.docker.size).toBe(0);
    expect(config.defaultDocker).toBeUndefined();
  });

  it('refuses a namespace, or default-docker, defined in two files, naming both', async () => {
    const dir = await configDir({
      'one.yaml': 'docker:\n  a.io:\n    lookaside: file:///a\n',
      'two.yaml': 'docker:\n  a.io:\n    lookaside: file:///b\n',
    });
    const error = await loadRegistriesConfig({ registriesDir: dir }).catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_INVALID_POLICY')).toBe(true);
    expect((error as Error).message).toContain(join(dir, 'one.yaml'));
    expect((error as Error).message).toContain(join(dir, 'two.yaml'));
    expect((error as Error).message).toContain('"a.io"');

    const defaults = await configDir({
      'one.yaml': 'default-docker:\n  lookaside: file:///a\n',
      'two.yaml': 'default-docker:\n  lookaside: file:///b\n',
    });
    await expect(loadRegistriesConfig({ registriesDir: defaults })).rejects.toSatisfy(
      (e: unknown) => isImageError(e, 'ERR_INVALID_POLICY') && (e as Error).message.includes('"default-docker"'),
    );
  });

  it('uses the given directory, else a default', async () => {
    expect(await registriesDirPath('/x/registries.d')).toBe('/x/registries.d');
    expect(await registriesDirPath()).toMatch(/registries\.d$/);
  });
});

// parsed once at the top level (the parser loads the YAML module on first use)
const STORAGE_CONFIG = await parseRegistriesFile(
  [
    'default-docker:',
    '  lookaside: file:///default',
    'docker:',
    '  reg.io/ns/app:v1:',
    '    lookaside: file:///tagged',
    '  reg.io/ns/app:',
    '    use-sigstore-attachments: false',
    '  reg.io/ns:',
    '    lookaside: https://sigs.reg.io/base',
    '    lookaside-staging: file:///staging',
    '    use-sigstore-attachments: true',
    '  reg.io:',
    '    lookaside: file:///host',
    '  "*.example.com":',
    '    lookaside: file:///wild',
    '    use-sigstore-attachments: true',
  ].join('\n'),
  'x.yaml',
);

describe('signatureStorageFor', () => {
  const storage = (text: string) => signatureStorageFor(STORAGE_CONFIG, parseDockerImageName(text), ROOT);

  it('picks the most specific namespace that sets each value, appending the repository path', async () => {
    const tagged = storage('//reg.io/ns/app:v1');
    expect(tagged.lookasideRead.href).toBe('file:///tagged/ns/app');
    // the tag's namespace sets no staging: the first namespace that sets a write location is reg.io/ns
    expect(tagged.lookasideWrite.href).toBe('file:///tagged/ns/app');
    // reg.io/ns/app says false before reg.io/ns says true
    expect(tagged.sigstoreAttachments).toBe(false);
    const other = storage('//reg.io/ns/other:v1');
    expect(other.lookasideRead.href).toBe('https://sigs.reg.io/base/ns/other');
    expect(other.lookasideWrite.href).toBe('file:///staging/ns/other');
    expect(other.sigstoreAttachments).toBe(true);
    expect(storage('//reg.io/elsewhere:v1').lookasideRead.href).toBe('file:///host/elsewhere');
    expect(storage('//a.b.example.com:5000/x/y:v1').lookasideRead.href).toBe('file:///wild/x/y');
    expect(storage('//a.b.example.com:5000/x/y:v1').sigstoreAttachments).toBe(true);
    expect(storage('//busybox').lookasideRead.href).toBe('file:///default/library/busybox');
    expect(storage('//busybox').sigstoreAttachments).toBe(false);
  });

  it('matches a digest reference by its full identity', async () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const byDigest = await parseRegistriesFile(
      `docker:\n  reg.io/app@${digest}:\n    lookaside: file:///pinned\n`,
      'd.yaml',
    );
    const found = signatureStorageFor(byDigest, parseDockerImageName(`//reg.io/app@${digest}`), ROOT);
    expect(found.lookasideRead.href).toBe('file:///pinned/app');
  });

  it('falls back to the built-in default: /var/lib for root, ~/.local/share for a user', async () => {
    const empty = { docker: new Map() };
    const name = parseDockerImageName('//reg.io/ns/app:v1');
    expect(signatureStorageFor(empty, name, ROOT).lookasideRead.href).toBe(
      'file:///var/lib/containers/sigstore/ns/app',
    );
    expect(signatureStorageFor(empty, name, USER).lookasideWrite.href).toBe(
      'file:///home/u/.local/share/containers/sigstore/ns/app',
    );
    expect(signatureStorageFor(empty, name, USER).sigstoreAttachments).toBe(false);
  });

  it('refuses a lookaside that is not a URL', async () => {
    const bad = await parseRegistriesFile('default-docker:\n  lookaside: "not a url"\n', 'bad.yaml');
    expect(() => signatureStorageFor(bad, parseDockerImageName('//reg.io/app:v1'), ROOT)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_POLICY' }),
    );
  });
});
