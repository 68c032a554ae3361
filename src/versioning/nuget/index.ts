import { parsedApi } from '../scheme-base.js';
import type { VersionScheme } from '../types.js';
import { compareNuGet, parseNuGet } from './compare-nuget.js';

export const nuget = {
  id: 'nuget',
  displayName: 'NuGet',
  urls: [
    'https://learn.microsoft.com/nuget/concepts/package-versioning',
    'https://github.com/NuGet/NuGet.Client/blob/dev/src/NuGet.Core/NuGet.Versioning/VersionComparer.cs',
  ],
  ...parsedApi('nuget', parseNuGet, compareNuGet),
} satisfies VersionScheme;
