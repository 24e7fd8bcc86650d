// The JSON shape of a value: what a step reading it relies on (keys, and the JSON type of
// each value), not the values themselves (ids and times differ from run to run).

/** Where `actual` departs from the shape of `example`, or undefined when it has the same shape. */
export function shapeDifference(example, actual, at = '$') {
  const kind = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  if (kind(example) !== kind(actual)) return `${at}: ${kind(example)} in the example, ${kind(actual)} returned`;
  if (Array.isArray(example)) {
    if ((example.length === 0) !== (actual.length === 0)) return `${at}: ${example.length} items in the example, ${actual.length} returned`;
    return example.length === 0 ? undefined : shapeDifference(example[0], actual[0], `${at}[0]`);
  }
  if (kind(example) === 'object') {
    const a = Object.keys(example).sort().join(',');
    const b = Object.keys(actual).sort().join(',');
    if (a !== b) return `${at}: keys ${a} in the example, ${b} returned`;
    for (const k of Object.keys(example)) {
      const d = shapeDifference(example[k], actual[k], `${at}.${k}`);
      if (d) return d;
    }
  }
  return undefined;
}
