import type { Cataloger, FileSource } from '../types.js';
import { parseDepsJson } from './parse-deps-json.js';

/**
 * NuGet packages of published .NET applications, from the `<app>.deps.json` the SDK writes beside
 * the application (as Trivy's dotnet-deps analyzer). Read in every mode: it is what was deployed.
 */
export const dotnetDepsCataloger = {
  name: 'dotnet-deps',
  ecosystems: ['nuget'],
  matches(file, _ctx) {
    return file.path.endsWith('.deps.json');
  },
  async parse(file: FileSource, _ctx) {
    return parseDepsJson(await file.buffer(), file.path);
  },
} satisfies Cataloger;
