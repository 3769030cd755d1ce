/**
 * Reply templates with variables (each board's own, in its settings: the domain's
 * `BoardSettings.templates`). `{{handle}}` is the author's handle with its @,
 * `{{firstName}}` the author's first name, `{{myName}}` the signed-in member's name. An
 * author who gave no name (or only their handle again) is not greeted by handle: the
 * variable is left out with the space before it ("Hi, thanks…" rather than "Hi fox_1987,").
 */
import { firstName } from "./people.ts";

export interface TemplateContext {
	author: { handle: string; name: string };
	myName: string;
}

/** The values of a template's variables for one conversation. */
export function templateVariables(context: TemplateContext): Record<string, string> {
	const handle = context.author.handle.replace(/^@/, "");
	const name = context.author.name.trim().replace(/^@/, "").toLowerCase();
	// A "name" that is the handle again is no name to greet by.
	const isHandle = name === handle.toLowerCase() || name === handle.toLowerCase().split("@")[0];
	return {
		handle: `@${handle}`,
		firstName: isHandle ? "" : firstName(context.author.name),
		myName: context.myName,
	};
}

/**
 * The template's text with its variables filled in; unknown variables stay as they are. An
 * empty value takes the space before it along ("Thank you {{firstName}}, …" → "Thank you, …").
 */
export function fillTemplate(body: string, context: TemplateContext): string {
	const variables = templateVariables(context);
	return body.replace(/( ?)\{\{\s*(\w+)\s*\}\}/g, (match, space: string, name: string) => {
		const value = variables[name];
		if (value === undefined) return match;
		return value === "" ? "" : `${space}${value}`;
	});
}

/**
 * A template for a draft that may hold text already: without the leading @handle when the
 * draft already names the author (it would be there twice).
 */
export function templateForDraft(filled: string, draft: string, handle: string): string {
	const at = `@${handle.replace(/^@/, "")}`;
	if (!filled.startsWith(`${at} `)) return filled;
	return draft.toLowerCase().includes(at.toLowerCase()) ? filled.slice(at.length + 1) : filled;
}

/**
 * What to insert between `before` and `after` (the text around the cursor) so words stay
 * apart: a space before the insertion when it would touch the previous word, and one after
 * when it would touch the next. At the start of the draft or after a space or line break,
 * nothing is added.
 */
export function spacedInsertion(before: string, text: string, after: string): string {
	const touchesBefore = before.length > 0 && !/\s$/.test(before) && !/^\s/.test(text);
	const touchesAfter = after.length > 0 && !/^\s/.test(after) && !/\s$/.test(text);
	return `${touchesBefore ? " " : ""}${text}${touchesAfter ? " " : ""}`;
}
