/**
 * Collection helpers the standard library lacks on Node 20. Pure, so every layer may use them.
 */

/**
 * `new Map(entries)`, except that a key met again collects its values instead of replacing them.
 * Keys keep the order they were first met in, values the order they came in. Entries rather than a
 * key function (as `Map.groupBy`, Node 21+, takes) so one pass can both choose what is kept and
 * leave out what has no key.
 */
export function groupBy<K, V>(entries: Iterable<readonly [K, V]>): Map<K, V[]> {
  const groups = new Map<K, V[]>();
  for (const [key, value] of entries) {
    const group = groups.get(key);
    if (group) group.push(value);
    else groups.set(key, [value]);
  }
  return groups;
}

/**
 * `ask`, answering each key once: a key asked again (the same value, or the same object, as a Map
 * compares them) gets the first answer back.
 */
export function memoized<K, V>(ask: (key: K) => V): (key: K) => V {
  const answers = new Map<K, V>();
  return (key) => {
    if (answers.has(key)) return answers.get(key) as V;
    const answer = ask(key);
    answers.set(key, answer);
    return answer;
  };
}
