import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { assertBuilt, tempDir } from './cli.js';

/**
 * One temporary directory per test file (removed afterwards), and a fresh sub-path for each
 * image a test writes. Checks that the CLI has been built, since the suites drive bin/vigil.js.
 */
export function useWorkspace(): { readonly root: string; fresh(): string } {
  let dir: string | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  let n = 0;
  beforeAll(async () => {
    assertBuilt();
    ({ dir, cleanup } = await tempDir());
  });
  afterAll(async () => cleanup?.());
  return {
    get root(): string {
      if (!dir) throw new Error('useWorkspace: root is only known inside tests');
      return dir;
    },
    fresh: () => join(dir!, `img${n++}`),
  };
}
