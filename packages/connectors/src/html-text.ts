import { lazyRequire } from "./lazy-module.ts";

const htmlToTextLibrary = lazyRequire<typeof import("html-to-text")>("html-to-text");

/** Plain text of an HTML fragment (a Mastodon status, a feed item's summary). */
export function htmlToText(html: string): string {
	return htmlToTextLibrary()
		.convert(html, {
			wordwrap: false,
			selectors: [
				{ selector: "a", options: { ignoreHref: true } },
				{ selector: "img", format: "skip" },
				{ selector: "p", options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
			],
		})
		.trim();
}
