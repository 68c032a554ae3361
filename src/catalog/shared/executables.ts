import type { FileMeta } from '../types.js';

/** Smaller files cannot be a linked executable with build metadata. */
export const MIN_BINARY_SIZE = 1024;

/**
 * Extensions of files that often carry an executable bit but are never compiled executables
 * (scripts, text, images). Shared libraries stay in: Go c-shared and Rust cdylib outputs are
 * `.so` files with build info.
 */
const NOT_BINARY = new Set([
  'sh', 'bash', 'zsh', 'ksh', 'csh', 'fish', 'py', 'pyc', 'pl', 'pm', 'rb', 'js', 'mjs', 'cjs', 'ts',
  'php', 'lua', 'tcl', 'awk', 'sed', 'txt', 'md', 'rst', 'json', 'yaml', 'yml', 'toml', 'xml', 'html',
  'htm', 'css', 'conf', 'cfg', 'ini', 'csv', 'png', 'jpg', 'jpeg', 'gif', 'svg', 'ico', 'gz', 'xz',
  'bz2', 'zst', 'zip', 'jar', 'war', 'tar', 'deb', 'rpm', 'h', 'c', 'cc', 'cpp', 'go', 'rs', 'java',
  'class', 'o', 'a', 'la', 'desktop', 'service', 'pem', 'crt', 'key',
]);

/**
 * The cheap path-and-mode test shared by the binary catalogers (Go, Rust): a file with any
 * executable bit, large enough to be a linked program, not an obvious script or data file.
 */
export function looksLikeBinaryCandidate(file: FileMeta): boolean {
  if ((file.mode & 0o111) === 0 || file.size < MIN_BINARY_SIZE) return false;
  const base = file.path.slice(file.path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  if (dot > 0 && NOT_BINARY.has(base.slice(dot + 1).toLowerCase())) return false;
  return true;
}
