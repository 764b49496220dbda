// App globs as the API reads them: a port of Go's path.Match, so that the
// dashboard shows exactly the buttons the API will accept. "*" and "?"
// never match "/"; classes [a-z], [^a-z]; backslash escapes; a malformed
// pattern matches nothing (the API treats its error as no match).

/** matches reports whether name matches the glob. */
export function matches(glob, name) {
  try {
    return match(Array.from(glob), Array.from(name));
  } catch {
    return false;
  }
}

/** anyMatch reports whether globs (empty: all) cover name. */
export function anyMatch(globs, name) {
  return !globs || globs.length === 0 || globs.some((g) => matches(g, name));
}

class BadPattern extends Error {}

function match(pattern, name) {
  outer: while (pattern.length > 0) {
    let star, chunk;
    [star, chunk, pattern] = scanChunk(pattern);
    if (star && chunk.length === 0) return !name.includes('/');
    const [t, ok] = matchChunk(chunk, name);
    if (ok && (t.length === 0 || pattern.length > 0)) {
      name = t;
      continue;
    }
    if (star) {
      for (let i = 0; i < name.length && name[i] !== '/'; i++) {
        const [t2, ok2] = matchChunk(chunk, name.slice(i + 1));
        if (ok2) {
          if (pattern.length === 0 && t2.length > 0) continue;
          name = t2;
          continue outer;
        }
      }
    }
    while (pattern.length > 0) { // the rest must still be well-formed
      [, chunk, pattern] = scanChunk(pattern);
      matchChunk(chunk, []);
    }
    return false;
  }
  return name.length === 0;
}

function scanChunk(pattern) {
  let star = false;
  while (pattern.length > 0 && pattern[0] === '*') {
    pattern = pattern.slice(1);
    star = true;
  }
  let inRange = false;
  let i;
  scan: for (i = 0; i < pattern.length; i++) {
    switch (pattern[i]) {
      case '\\': if (i + 1 < pattern.length) i++; break;
      case '[': inRange = true; break;
      case ']': inRange = false; break;
      case '*': if (!inRange) break scan; break;
    }
  }
  return [star, pattern.slice(0, i), pattern.slice(i)];
}

// matchChunk matches chunk (no "*") at the start of s: [rest, ok]; it
// throws BadPattern for a malformed chunk, even after a mismatch.
function matchChunk(chunk, s) {
  let failed = false;
  while (chunk.length > 0) {
    if (!failed && s.length === 0) failed = true;
    const c = chunk[0];
    if (c === '[') {
      let r = null;
      if (!failed) { r = s[0]; s = s.slice(1); }
      chunk = chunk.slice(1);
      let negated = false;
      if (chunk[0] === '^') { negated = true; chunk = chunk.slice(1); }
      let matched = false;
      for (let n = 0; ; n++) {
        if (chunk.length > 0 && chunk[0] === ']' && n > 0) { chunk = chunk.slice(1); break; }
        let lo, hi;
        [lo, chunk] = getEsc(chunk);
        hi = lo;
        if (chunk[0] === '-') [hi, chunk] = getEsc(chunk.slice(1));
        if (r !== null && cp(lo) <= cp(r) && cp(r) <= cp(hi)) matched = true;
      }
      if (matched === negated) failed = true;
    } else if (c === '?') {
      if (!failed) {
        if (s[0] === '/') failed = true;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
    } else {
      if (c === '\\') {
        chunk = chunk.slice(1);
        if (chunk.length === 0) throw new BadPattern();
      }
      if (!failed) {
        if (chunk[0] !== s[0]) failed = true;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
    }
  }
  return failed ? [[], false] : [s, true];
}

function getEsc(chunk) {
  if (chunk.length === 0 || chunk[0] === '-' || chunk[0] === ']') throw new BadPattern();
  if (chunk[0] === '\\') {
    chunk = chunk.slice(1);
    if (chunk.length === 0) throw new BadPattern();
  }
  const rest = chunk.slice(1);
  if (rest.length === 0) throw new BadPattern();
  return [chunk[0], rest];
}

function cp(ch) {
  return ch.codePointAt(0);
}
