/**
 * patches/tinyld@1.3.4.patch replaces functions of tinyld's CommonJS build (the n-gram
 * tokenizer, the chunk scoring by unique grams, the per-word scoring and the merge of a text's
 * scores) with equivalents that allocate less, and keeps the results of the chunks and words it
 * scored last: language detection was the server's largest cost under webhook ingest
 * (bench/findings/06.md). Mentions must get the language they got before, since
 * claims are routed by it, so these tests hold the patched build to the published one: the same
 * languages, accuracies and order, to the last bit.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { compileFunction } from "node:vm";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";

type Tinyld = typeof import("tinyld");

const require = createRequire(import.meta.url);
const buildPath = require.resolve("tinyld");
const patchPath = new URL("../../../patches/tinyld@1.3.4.patch", import.meta.url);
const datasetPath = new URL("../../../demo/twitter-care-conversations.json", import.meta.url);

/** The lines the patch puts ahead of the bundle (its one hunk adds them at the top). */
const added = readFileSync(patchPath, "utf8")
	.split("\n")
	.filter((line) => line.startsWith("+") && !line.startsWith("+++"))
	.map((line) => line.slice(1));
const installed = readFileSync(buildPath, "utf8").split("\n");

/**
 * The build as published: the installed file without the patch's lines, loaded apart, with
 * the grams only one language has (the bundle's `B0`), which the patch finds by their hashes.
 */
function loadPublished(): Tinyld & { uniqueGrams: Set<string> } {
	const module = { exports: {} };
	compileFunction(
		`${installed.slice(added.length).join("\n")}\nmodule.exports.uniqueGrams = B0;`,
		["module", "exports", "require"],
		{ filename: buildPath },
	)(module, module.exports, require);
	return module.exports as Tinyld & { uniqueGrams: Set<string> };
}

/**
 * The build as installed, loaded apart: a copy that has detected nothing yet, so its profiles
 * are still packed (the patch decodes a gram's when a detection first needs it).
 */
function loadInstalled(): Tinyld {
	const module = { exports: {} };
	compileFunction(installed.join("\n"), ["module", "exports", "require"], {
		filename: buildPath,
	})(module, module.exports, require);
	return module.exports as Tinyld;
}

/** Demo messages, as the server sees most mentions. */
const demoTexts = (
	JSON.parse(readFileSync(datasetPath, "utf8")) as { dialogContent: { message: string }[] }[]
).flatMap((conversation) => conversation.dialogContent.map((message) => message.message));

/** The same plea in other languages and scripts, and text with runs of spaces and punctuation. */
const otherLanguages = [
	"Mon colis n'est jamais arrivé, pouvez-vous m'aider ?",
	"Mein Paket ist nie angekommen, könnt ihr helfen?",
	"Mi paquete nunca llegó, ¿pueden ayudarme?",
	"O meu pacote nunca chegou, podem ajudar?",
	"Il mio pacco non è mai arrivato, potete aiutarmi?",
	"Mijn pakket is nooit aangekomen, kunnen jullie helpen?",
	"Moja paczka nigdy nie dotarła, czy możecie pomóc?",
	"Paketim hiç gelmedi, yardım edebilir misiniz?",
	"Min pakke kom aldrig frem, kan I hjælpe?",
	"Paketti ei koskaan saapunut, voitteko auttaa?",
	"Моя посылка так и не пришла, помогите пожалуйста",
	"Το δέμα μου δεν έφτασε ποτέ, μπορείτε να βοηθήσετε;",
	"החבילה שלי לא הגיעה, תוכלו לעזור?",
	"لم يصل طردي أبدًا، هل يمكنكم المساعدة؟",
	"मेरा पार्सल कभी नहीं आया, क्या आप मदद कर सकते हैं?",
	"私の荷物が届きません。助けてください。",
	"我的包裹一直没有到，你们能帮忙吗？",
	"내 소포가 도착하지 않았어요. 도와주실 수 있나요?",
	"Gói hàng của tôi chưa bao giờ đến, bạn có thể giúp không?",
	"Mein   Paket  -- ist  nie,,, angekommen!!!   Ça   alors…",
	"",
	"   ",
];

const options = [undefined, { only: ["en", "fr", "de"] }, { only: ["eng"] }];

describe("tinyld as patched", () => {
	const patched = require("tinyld") as Tinyld;
	let published: ReturnType<typeof loadPublished>;
	beforeAll(() => {
		published = loadPublished();
	});

	it("is what the install loads", () => {
		expect(
			installed.slice(0, added.length),
			"tinyld is installed without patches/tinyld@1.3.4.patch: run pnpm install",
		).toEqual(added);
		expect(added.length).toBeGreaterThan(0);
	});

	it("decodes the profiles as detections need them, with the published build's results", () => {
		// A new copy, detecting without `only` (as triage does): every gram's languages and scores
		// decoded from the packed dictionary one at a time. Then with `only`, which reads the
		// tables whole, and without again.
		const fresh = loadInstalled();
		const grams = [...published.uniqueGrams].flatMap((gram) => [gram, `so ${gram} it`]);
		for (const text of [...demoTexts, ...otherLanguages, ...grams]) {
			expect(fresh.detectAll(text), text).toEqual(published.detectAll(text));
		}
		for (const text of [...otherLanguages, ...demoTexts.slice(0, 200)]) {
			for (const option of options) {
				expect(fresh.detectAll(text, option), text).toEqual(published.detectAll(text, option));
			}
		}
	});

	it("detects the demo data and other languages exactly as the published build", () => {
		for (const text of [...demoTexts, ...otherLanguages]) {
			for (const option of options.slice(0, 2)) {
				expect(patched.detectAll(text, option), text).toEqual(published.detectAll(text, option));
			}
		}
	});

	it("detects texts it has seen, and texts it has forgotten, exactly as the published build", () => {
		// Twice each: the second detection is answered from the chunks and words kept.
		for (const text of [...demoTexts, ...otherLanguages, ...demoTexts]) {
			expect(patched.detectAll(text), text).toEqual(published.detectAll(text));
		}
		// More chunks and words than it keeps (at most 10,000 of each), then the first ones again.
		const word = (i: number) =>
			Array.from(i.toString(26).padStart(4, "0"), (digit) =>
				String.fromCharCode(97 + Number.parseInt(digit, 26)),
			).join("");
		const texts = Array.from({ length: 1_500 }, (_, i) =>
			Array.from(
				{ length: 7 },
				(_, j) => `${word(i * 14 + j * 2)} ${word(i * 14 + j * 2 + 1)}`,
			).join(", "),
		);
		const first = texts.slice(0, 50).map((text) => patched.detectAll(text));
		for (const text of texts.slice(50)) patched.detectAll(text);
		for (const [i, text] of texts.slice(0, 50).entries()) {
			const again = patched.detectAll(text);
			expect(again, text).toEqual(published.detectAll(text));
			expect(again, text).toEqual(first[i]);
		}
	});

	it("finds every gram only one language has, alone and between words, as the published build", () => {
		// The patch looks a window of a chunk up only when its hash is a unique gram's: a gram
		// it missed would change the chunk's language.
		expect(published.uniqueGrams.size).toBeGreaterThan(10_000);
		for (const gram of published.uniqueGrams) {
			for (const text of [gram, `so ${gram} it`, `${gram}${gram}`]) {
				expect(patched.detectAll(text), text).toEqual(published.detectAll(text));
			}
		}
	});

	it("detects the demo messages' words in new orders, as the benchmark sends them, exactly as the published build", () => {
		// Each text new, so most chunks are scored for the first time and most words are kept.
		for (let i = 0; i < 3_000; i++) {
			const words = (demoTexts[i % demoTexts.length] as string).split(/\s+/);
			let seed = i + 1;
			for (let k = words.length - 1; k > 0; k--) {
				seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
				const j = seed % (k + 1);
				[words[k], words[j]] = [words[j] as string, words[k] as string];
			}
			const text = words.join(" ");
			expect(patched.detectAll(text), text).toEqual(published.detectAll(text));
		}
	});

	it("detects any mix of those words and any text exactly as the published build", () => {
		const words = [...demoTexts, ...otherLanguages].join(" ").split(/\s+/);
		const salad = fc
			.tuple(fc.array(fc.constantFrom(...words), { maxLength: 40 }), fc.constantFrom(" ", "  "))
			.map(([chosen, space]) => chosen.join(space));
		fc.assert(
			fc.property(
				fc.oneof(salad, fc.string({ unit: "grapheme", maxLength: 80 })),
				fc.constantFrom(...options),
				(text, option) => {
					expect(patched.detectAll(text, option)).toEqual(published.detectAll(text, option));
				},
			),
			{ numRuns: 500 },
		);
	});
});
