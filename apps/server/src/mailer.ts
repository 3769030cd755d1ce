/**
 * Email, optional: with `SMTP_URL` set, invitation, setup and reset links are mailed through
 * nodemailer (pooled SMTP, a few connections at once); without it the admin copies the
 * links from the screen or the CLI. Each message says who sent it and for which
 * organisation, in a plain-text part and the same words as HTML (mail apps that show
 * HTML make the link a link, and a bare text part looks like spam to some filters).
 */
import { createRequire } from "node:module";
import type { Logger } from "pino";

/** nodemailer (~25 MiB resident) is loaded only when SMTP_URL asks for a mailer. */
const require = createRequire(import.meta.url);

export interface MailLink {
	/** An invitation, a new organisation's first admin's link (`switchboard setup`), or a reset. */
	kind: "invite" | "setup" | "reset";
	email: string;
	url: string;
	expiresAt: string;
	orgName: string;
	/** The admin who made an invitation, by name; absent when made at the command line. */
	invitedByName?: string;
	/** A reset the member asked for themselves ("forgot password"), not an admin. */
	requestedBySelf?: boolean;
}

export interface Mailer {
	/**
	 * Send each link to its person; resolves when all were handed to the mail server, and
	 * rejects otherwise, with the first failure as the error's `cause`.
	 */
	sendLinks(links: readonly MailLink[]): Promise<void>;
	close(): void;
}

/** Messages in flight at once. @default 5, nodemailer's own pool size */
const MAX_CONNECTIONS = 5;

/** A message's body: paragraphs of text, and the link in one of its own. */
type Paragraph = string | { link: string };

/** The words of the message for `link`: its subject and its paragraphs. */
function words(link: MailLink): { subject: string; body: Paragraph[] } {
	const until = new Date(link.expiresAt).toUTCString();
	const org = link.orgName;
	if (link.kind === "reset" && link.requestedBySelf) {
		return {
			subject: `Choose a new Switchboard password for ${org}`,
			body: [
				`Someone, probably you, asked for a link to choose a new Switchboard password for your account at ${org}:`,
				{ link: link.url },
				`It works once, until ${until}. If it was not you, ignore this message: your password stays as it is.`,
			],
		};
	}
	if (link.kind === "reset") {
		return {
			subject: `Choose a new Switchboard password for ${org}`,
			body: [
				`An admin of ${org} sent you a link to choose a new password:`,
				{ link: link.url },
				`It works once, until ${until}. If you did not expect it, ignore this message.`,
			],
		};
	}
	if (link.kind === "setup") {
		// Nobody in the organisation made this link: it came with the organisation itself.
		return {
			subject: `You are the first admin of ${org} on Switchboard`,
			body: [
				`${org} has just been set up on Switchboard, with you as its first admin.`,
				"Choose your password here:",
				{ link: link.url },
				`The link works once, until ${until}. Then invite your colleagues from Admin → Members. If you did not expect it, ignore this message.`,
			],
		};
	}
	const by = link.invitedByName;
	return {
		subject: by
			? `${by} invites you to ${org} on Switchboard`
			: `You are invited to ${org} on Switchboard`,
		body: [
			by
				? `${by}, an admin of ${org}, invites you to answer ${org}'s public with your colleagues on Switchboard.`
				: `${org} invites you to answer its public with your colleagues on Switchboard.`,
			`Join ${org} here:`,
			{ link: link.url },
			`The link works once, until ${until}. If you did not expect it, ignore this message.`,
		],
	};
}

/** Text for an HTML element or attribute value. */
function escapeHtml(text: string): string {
	return text
		.replaceAll("&", "&amp;")
		.replaceAll("<", "&lt;")
		.replaceAll(">", "&gt;")
		.replaceAll('"', "&quot;")
		.replaceAll("'", "&#39;");
}

/** The message for `link`, as plain text and as HTML with the same words. */
function message(link: MailLink): { subject: string; text: string; html: string } {
	const { subject, body } = words(link);
	const text = `${body.map((part) => (typeof part === "string" ? part : part.link)).join("\n\n")}\n`;
	const paragraphs = body.map((part) =>
		typeof part === "string"
			? `<p>${escapeHtml(part)}</p>`
			: `<p><a href="${escapeHtml(part.link)}">${escapeHtml(part.link)}</a></p>`,
	);
	const html = `<!doctype html><html><body>${paragraphs.join("\n")}</body></html>\n`;
	return { subject, text, html };
}

export function createMailer(options: { smtpUrl: string; from: string; logger: Logger }): Mailer {
	// Pooled: a batch of ten thousand links reuses a few connections instead of opening one each.
	const { createTransport } = require("nodemailer") as typeof import("nodemailer");
	const transport = createTransport({
		url: options.smtpUrl,
		pool: true,
		maxConnections: MAX_CONNECTIONS,
	});
	return {
		async sendLinks(links) {
			let failed = 0;
			let first: unknown;
			await Promise.all(
				links.map(async (link) => {
					try {
						await transport.sendMail({ from: options.from, to: link.email, ...message(link) });
					} catch (error) {
						failed++;
						first ??= error;
						options.logger.warn({ err: error, kind: link.kind }, "an email could not be sent");
					}
				}),
			);
			if (failed > 0) {
				throw new Error(`${failed} of ${links.length} emails could not be sent`, { cause: first });
			}
		},
		close: () => transport.close(),
	};
}
