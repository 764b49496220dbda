// App globs as the API reads them (Go's path.Match): * and ? never match
// "/", [a-z] and [^x] classes, backslash escapes.

/** matches reports whether name matches the glob. */
export function matches(glob, name) {
  return toRegExp(glob).test(name);
}

/** anyMatch reports whether globs (empty: all) cover name. */
export function anyMatch(globs, name) {
  return !globs || globs.length === 0 || globs.some((g) => matches(g, name));
}

function toRegExp(glob) {
  let re = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < glob.length) re += escape(glob[++i]);
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) return /$^/; // malformed: path.Match fails, matches nothing
      let cls = glob.slice(i + 1, end).replace(/\\(.)/g, '\\$1');
      if (cls.startsWith('^')) cls = '^' + cls.slice(1);
      re += `(?!/)[${cls}]`;
      i = end;
    } else re += escape(c);
  }
  try { return new RegExp(re + '$'); } catch { return /$^/; }
}

function escape(c) {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
