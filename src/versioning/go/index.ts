import { parsedApi } from '../scheme-base.js';
import type { VersionScheme } from '../types.js';
import { canonicalGo, compareGo } from './compare-go.js';

export const go = {
  id: 'go',
  displayName: 'Go modules and toolchain',
  urls: ['https://pkg.go.dev/golang.org/x/mod/semver', 'https://go.dev/ref/mod#versions', 'https://go.dev/doc/toolchain#version'],
  ...parsedApi('go', canonicalGo, compareGo),
} satisfies VersionScheme;
