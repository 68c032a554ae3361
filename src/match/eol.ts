import type { OsInfo } from '../core/types.js';
import { osNamespace } from '../vulndb/namespace.js';

/**
 * End of security support per release, as the distros publish it (Debian: end of LTS,
 * https://wiki.debian.org/LTS; Alpine: https://alpinelinux.org/releases/). A release past it
 * gets no more fixes, so a clean scan of it says little: the report warns.
 */
const END_OF_SUPPORT: Record<string, string> = {
  'debian:8': '2020-06-30',
  'debian:9': '2022-06-30',
  'debian:10': '2024-06-30',
  'debian:11': '2026-08-31',
  'debian:12': '2028-06-30',
  'alpine:3.12': '2022-05-01',
  'alpine:3.13': '2022-11-01',
  'alpine:3.14': '2023-05-01',
  'alpine:3.15': '2023-11-01',
  'alpine:3.16': '2024-05-23',
  'alpine:3.17': '2024-11-22',
  'alpine:3.18': '2025-05-09',
  'alpine:3.19': '2025-11-01',
  'alpine:3.20': '2026-04-01',
  'alpine:3.21': '2026-11-01',
  'alpine:3.22': '2027-05-01',
};

/** The end-of-support date when the release is past it at `now`, else undefined. */
export function endOfSupport(os: OsInfo, now: Date): string | undefined {
  const ns = osNamespace(os);
  const date = ns ? END_OF_SUPPORT[ns] : undefined;
  return date && now.getTime() > Date.parse(`${date}T23:59:59Z`) ? date : undefined;
}
