// A list action read page by page through the component's `listings` interface, so a Node
// host holds one page at a time however large the org: `for await (const user of items(...))`.
//
// In jco's bindings `listings.open` returns the `listing` resource as an object whose methods
// are `nextPage()` (the page's items as JSON text, `undefined` once done; a WIT error is
// thrown with the error as `payload`) and `cursor()`.

/** Every item of `action` (e.g. `users.list`) with `input` (an object, as `catalog.invoke`
 * takes it), one page in memory at a time. */
export function* items(listings, action, connection, input = {}) {
  const listing = listings.open(action, connection, JSON.stringify(input));
  try {
    for (let page = listing.nextPage(); page !== undefined; page = listing.nextPage()) {
      yield* JSON.parse(page);
    }
  } finally {
    listing[Symbol.dispose]?.();
  }
}

/** Writes every item of `action` to `out` (a writable stream), one JSON line per item, page
 * by page, waiting for the stream to drain between pages. Returns the number written. */
export async function writeLines(listings, action, connection, input, out) {
  const listing = listings.open(action, connection, JSON.stringify(input));
  let written = 0;
  try {
    for (let page = listing.nextPage(); page !== undefined; page = listing.nextPage()) {
      const lines = JSON.parse(page).map((item) => JSON.stringify(item)).join('\n');
      if (lines && !out.write(`${lines}\n`)) {
        await new Promise((resolve) => out.once('drain', resolve));
      }
      written += lines ? lines.split('\n').length : 0;
    }
  } finally {
    listing[Symbol.dispose]?.();
  }
  return written;
}
