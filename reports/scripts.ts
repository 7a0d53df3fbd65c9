import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The browser bundles the page inlines so it opens from disk with no network: vega, vega-lite
 * and vega-embed, as installed in node_modules (their UMD builds define globals `vega`,
 * `vegaLite`, `vegaEmbed`, in that order of dependency).
 */
const BUNDLES = [
  { pkg: 'vega', file: 'vega.min.js' },
  { pkg: 'vega-lite', file: 'vega-lite.min.js' },
  { pkg: 'vega-embed', file: 'vega-embed.min.js' },
] as const;

/** Reads the three bundles' source, in load order. */
export async function browserBundles(): Promise<{ name: string; source: string }[]> {
  const require = createRequire(import.meta.url);
  return Promise.all(BUNDLES.map(async ({ pkg, file }) => {
    // each package's entry point sits in its build/ folder, beside the minified browser bundle
    const path = join(dirname(require.resolve(pkg)), file);
    return { name: pkg, source: await readFile(path, 'utf8') };
  }));
}

/** Makes JavaScript safe inside an inline <script>: no `</script` or `<!--` can end it early. */
export function inlineScript(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** JSON for an inline <script>: `<`, U+2028 and U+2029 escaped so the data cannot break out. */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
