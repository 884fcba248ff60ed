import { homedir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultListStoreRoot } from './list-store-root.ts';

describe('defaultListStoreRoot', () => {
  it('prefers an absolute XDG_DATA_HOME, then HOME, then the system home', () => {
    expect(defaultListStoreRoot({ XDG_DATA_HOME: '/d', HOME: '/h' })).toBe('/d/ferry/manifest-lists');
    expect(defaultListStoreRoot({ XDG_DATA_HOME: 'rel', HOME: '/h' })).toBe('/h/.local/share/ferry/manifest-lists');
    expect(defaultListStoreRoot({ HOME: '/h' })).toBe('/h/.local/share/ferry/manifest-lists');
    expect(defaultListStoreRoot({})).toBe(`${homedir()}/.local/share/ferry/manifest-lists`);
  });
});
