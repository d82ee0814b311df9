/**
 * JavaScript evaluated inside each fresh QuickJS context BEFORE the user's code. It captures the
 * intrinsics it needs while they are still pristine, so user code that replaces `JSON.stringify`
 * or `String.prototype.slice` cannot change how its result is measured or its errors described.
 * It returns helpers to the host (they are never reachable from globalThis) and installs a
 * `console` that records bounded lines in the VM: the sandbox exposes no host function at all.
 *
 * Helpers (called by code-runner.ts):
 *   parse(json)                  the inputs, parsed inside the VM
 *   describe(thrown)             "name\u001fmessage\u001fline", cut short
 *   serialize(value, budget)     "J" + JSON | "L" (over budget, stopped early) | "I" + why not JSON
 *   takeLogs()                   JSON array of the recorded console lines
 */
export function vmPrelude(maxLogChars: number): string {
  return String.raw`(() => {
  'use strict';
  const stringify = JSON.stringify, parse = JSON.parse, isArray = Array.isArray, toStr = String;
  const call = Function.prototype.call;
  const slice = call.bind(String.prototype.slice);
  const test = call.bind(RegExp.prototype.test);
  const exec = call.bind(RegExp.prototype.exec);
  const TypeErr = TypeError;
  const STOP = {};
  const cut = (s, max) => (s.length > max ? slice(s, 0, max) + '…' : s);
  const text = (v, max) => {
    try {
      return cut(typeof v === 'string' ? v : toStr(v), max);
    } catch {
      return '[unprintable]';
    }
  };

  const show = (v) => {
    if (typeof v === 'string') return v;
    try {
      const s = stringify(v);
      return typeof s === 'string' ? s : toStr(v);
    } catch {
      return text(v, 200);
    }
  };

  function describe(e) {
    try {
      if (e !== null && (typeof e === 'object' || typeof e === 'function')) {
        if (e.name === undefined && e.message === undefined) return 'Thrown\u001f' + text(show(e), 2000);
        const name = e.name === undefined ? 'Error' : text(e.name, 100);
        const message = text(e.message, 2000);
        const stack = e.stack;
        const at = typeof stack === 'string' ? exec(/main\.js:(\d+)/, stack) : null;
        return name + '\u001f' + message + '\u001f' + (at ? at[1] : '');
      }
      return 'Thrown\u001f' + text(e, 2000);
    } catch {
      return 'Error\u001f(the thrown value could not be read)';
    }
  }

  // Counts a lower bound of the JSON length while JSON.stringify walks the value, and stops it
  // as soon as the budget is spent: a 100 MB result is refused before it is ever built.
  function serialize(value, budget) {
    let used = 0;
    let invalid = '';
    function replacer(key, v) {
      used += isArray(this) ? 1 : key.length + 3;
      const t = typeof v;
      if (t === 'string') used += v.length + 2;
      else if (t === 'number') used += toStr(v).length;
      else if (t === 'boolean' || t === 'object') used += 4;
      else if (t !== 'undefined') {
        invalid = 'a ' + t + (key === '' ? '' : ' at "' + text(key, 100) + '"') + ' is not JSON';
        throw STOP;
      }
      if (used > budget) throw STOP;
      return v;
    }
    if (value === null || typeof value !== 'object' || isArray(value)) {
      return 'I' + 'main must return an object, not ' + (value === null ? 'null' : isArray(value) ? 'an array' : 'a ' + typeof value);
    }
    let json;
    try {
      json = stringify(value, replacer);
    } catch (e) {
      if (e !== STOP) {
        if (e instanceof TypeErr && test(/circular|cyclic/i, text(e.message, 200))) return 'I' + 'the result has a circular reference';
        throw e;
      }
      return invalid ? 'I' + invalid : 'L';
    }
    return typeof json === 'string' ? 'J' + json : 'I' + 'the result is not JSON';
  }

  const logs = [];
  let logRoom = ${maxLogChars};
  const record = (level) =>
    function (...args) {
      if (logRoom <= 0) return;
      let line = level;
      for (let i = 0; i < args.length; i++) line += ' ' + text(show(args[i]), logRoom);
      line = cut(line, logRoom);
      logRoom -= line.length;
      logs[logs.length] = line;
    };
  globalThis.console = { log: record('log'), info: record('info'), warn: record('warn'), error: record('error'), debug: record('debug') };

  return { parse, describe, serialize, takeLogs: () => stringify(logs) };
})()`;
}
