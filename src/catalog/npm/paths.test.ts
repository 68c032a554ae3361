import { describe, expect, test } from 'vitest';
import { npmCataloger } from './index.js';

const meta = (path: string) => ({ path, mode: 0o644, size: 100 });

describe('npmCataloger.matches', () => {
  test.each`
    path                                                                  | image    | rootfs
    ${'/app/node_modules/axios/package.json'}                             | ${true}  | ${true}
    ${'/app/node_modules/@types/ms/package.json'}                         | ${true}  | ${true}
    ${'/app/node_modules/jsonwebtoken/node_modules/semver/package.json'}  | ${true}  | ${true}
    ${'/node_modules/a/package.json'}                                     | ${true}  | ${true}
    ${'/app/node_modules/.pnpm/a@1.0.0/node_modules/a/package.json'}      | ${true}  | ${true}
    ${'/app/package.json'}                                                | ${false} | ${false}
    ${'/app/node_modules/package.json'}                                   | ${false} | ${false}
    ${'/app/node_modules/@types/package.json'}                            | ${false} | ${false}
    ${'/app/node_modules/foo/lib/package.json'}                           | ${false} | ${false}
    ${'/app/node_modules/foo/test/fixtures/x/package.json'}               | ${false} | ${false}
    ${'/app/node_modules/.bin/package.json'}                              | ${false} | ${false}
    ${'/app/node_modules/.package-lock.json'}                             | ${false} | ${false}
    ${'/app/node_modules/axios/package.json.bak'}                         | ${false} | ${false}
    ${'/app/package-lock.json'}                                           | ${false} | ${true}
    ${'/app/npm-shrinkwrap.json'}                                         | ${false} | ${true}
    ${'/app/yarn.lock'}                                                   | ${false} | ${true}
    ${'/app/pnpm-lock.yaml'}                                              | ${false} | ${true}
    ${'/app/node_modules/foo/package-lock.json'}                          | ${false} | ${false}
    ${'/app/node_modules/foo/yarn.lock'}                                  | ${false} | ${false}
  `('$path: image=$image rootfs=$rootfs', ({ path, image, rootfs }) => {
    expect(npmCataloger.matches(meta(path), { mode: 'image' })).toBe(image);
    expect(npmCataloger.matches(meta(path), { mode: 'host' })).toBe(image);
    expect(npmCataloger.matches(meta(path), { mode: 'rootfs' })).toBe(rootfs);
  });
});
