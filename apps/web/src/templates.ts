/**
 * Reply templates with variables. `{{handle}}` is the author's handle with its @,
 * `{{firstName}}` the author's first name (their handle when they gave no name),
 * `{{myName}}` the signed-in member's name.
 */
import { firstName } from "./people.ts";

export interface ReplyTemplate {
	id: string;
	name: string;
	body: string;
}

export const TEMPLATES: readonly ReplyTemplate[] = [
	{
		id: "apology",
		name: "Apology, taking it to DM",
		body: "{{handle}} Hi {{firstName}}, I'm sorry about this. Could you send us a DM with your order number so we can sort it out? ^{{myName}}",
	},
	{
		id: "thanks",
		name: "Thanks for the kind words",
		body: "{{handle}} Thank you {{firstName}}, that means a lot to the whole team! ^{{myName}}",
	},
	{
		id: "looking-into-it",
		name: "Looking into it",
		body: "{{handle}} Hi {{firstName}}, thanks for flagging this. We're looking into it now and will get back to you here shortly. ^{{myName}}",
	},
	{
		id: "follow-up",
		name: "Follow-up",
		body: "{{handle}} Hi {{firstName}}, just checking in: is everything sorted now? We're here if you need anything else. ^{{myName}}",
	},
];

export interface TemplateContext {
	author: { handle: string; name: string };
	myName: string;
}

/** The values of a template's variables for one conversation. */
export function templateVariables(context: TemplateContext): Record<string, string> {
	const handle = context.author.handle.replace(/^@/, "");
	return {
		handle: `@${handle}`,
		firstName: firstName(context.author.name) || handle,
		myName: context.myName,
	};
}

/** The template's text with its variables filled in; unknown variables stay as they are. */
export function fillTemplate(body: string, context: TemplateContext): string {
	const variables = templateVariables(context);
	return body.replace(/\{\{\s*(\w+)\s*\}\}/g, (match, name: string) => variables[name] ?? match);
}
