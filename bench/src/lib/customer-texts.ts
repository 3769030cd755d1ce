/**
 * Mention texts for the ingest benchmarks: what the customers of the demo data wrote
 * (demo/twitter-care-conversations.json), each text new to the server.
 */
import { readFileSync } from "node:fs";

const customerTexts = (
	JSON.parse(
		readFileSync(new URL("../../../demo/twitter-care-conversations.json", import.meta.url), "utf8"),
	) as { dialogContent: { message: string }[] }[]
).flatMap((conversation) => conversation.dialogContent.map((message) => message.message));

/**
 * Mention `i`'s text: a customer's message with its words in an order drawn for `i`, on one
 * line. Real words in the lengths people write, and no two texts alike: language detection
 * keeps what it scored per chunk of text and per word, so texts that differ only in a number
 * (which it drops) would measure that cache, not the ingest.
 */
export function customerText(i: number): string {
	const words = customerTexts[i % customerTexts.length]!.split(/\s+/).filter(Boolean);
	let seed = i + 1;
	for (let k = words.length - 1; k > 0; k--) {
		seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
		const j = seed % (k + 1);
		[words[k], words[j]] = [words[j]!, words[k]!];
	}
	return words.join(" ");
}
