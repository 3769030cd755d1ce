/**
 * Libraries loaded on first use instead of at start. Language detection (tinyld, ~50 MiB
 * resident), the Bluesky and Mastodon clients, undici, the XML and HTML parsers together
 * held about 110 MiB of a server that uses none of them until a source is polled, a reply
 * sent or a mention triaged (bench/findings/01.md): a server that does not ingest never
 * loads them.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/**
 * `specifier`'s CommonJS build, required the first time the returned function is called.
 * For synchronous callers; asynchronous ones can `await import()` instead.
 */
export function lazyRequire<T>(specifier: string): () => T {
	let loaded: T | undefined;
	return () => {
		loaded ??= require(specifier) as T;
		return loaded;
	};
}
