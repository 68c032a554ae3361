import { parsedApi } from '../scheme-base.js';
import type { VersionScheme } from '../types.js';
import { compareGem, parseGem } from './compare-gem.js';

export const gem = {
  id: 'gem',
  displayName: 'RubyGems (Gem::Version)',
  urls: ['https://github.com/rubygems/rubygems/blob/master/lib/rubygems/version.rb'],
  ...parsedApi('gem', parseGem, compareGem),
} satisfies VersionScheme;
