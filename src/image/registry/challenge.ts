/** One auth challenge from a `WWW-Authenticate` header (RFC 9110 §11.6.1). */
export interface Challenge {
  /** Lower-cased scheme: `bearer`, `basic`, … */
  scheme: string;
  /** Parameters with lower-cased names. */
  params: Record<string, string>;
}

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;

/**
 * Parses `Bearer realm="…",service="…",scope="…"` and lists of challenges
 * (`Basic realm="x", Bearer realm="y"`). Tolerant: unreadable tails are dropped, never thrown.
 */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  const text = Array.isArray(header) ? header.join(', ') : (header ?? '');
  const out: Challenge[] = [];
  let i = 0;
  const skip = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === ',')) i++;
  };
  const token = (): string | undefined => {
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(text);
    if (!m) return undefined;
    i = TOKEN.lastIndex;
    return m[0];
  };
  let current: Challenge | undefined;
  // Bounded: every iteration consumes at least one character or stops.
  while (i < text.length) {
    skip();
    const start = i;
    const word = token();
    if (word === undefined) break;
    let j = i;
    while (text[j] === ' ' || text[j] === '\t') j++;
    if (text[j] === '=' && current) {
      // auth-param: name = token / quoted-string
      i = j + 1;
      while (text[i] === ' ' || text[i] === '\t') i++;
      let value = '';
      if (text[i] === '"') {
        i++;
        while (i < text.length && text[i] !== '"') {
          if (text[i] === '\\' && i + 1 < text.length) i++;
          value += text[i];
          i++;
        }
        i++;
      } else {
        // Lenient: unquoted realms with ':' and '/' are seen in the wild.
        const end = /[\s,]|$/.exec(text.slice(i));
        value = text.slice(i, i + (end?.index ?? 0));
        i += value.length;
      }
      current.params[word.toLowerCase()] = value;
    } else {
      current = { scheme: word.toLowerCase(), params: {} };
      out.push(current);
    }
    if (i === start) break;
  }
  return out;
}
