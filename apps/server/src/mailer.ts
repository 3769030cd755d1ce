/**
 * Email, optional: with `SMTP_URL` set, invitation, setup and reset links are mailed through
 * nodemailer (pooled SMTP, a few connections at once); without it the admin copies the
 * links from the screen or the CLI. Each message says who sent it and for which
 * organisation, in a plain-text part and the same words as HTML (mail apps that show
 * HTML make the link a link, and a bare text part looks like spam to some filters).
 */
import { createRequire } from "node:module";
import { withDefaults } from "@switchboard/domain";
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

/**
 * How long a send waits on the mail server, in ms. nodemailer's own defaults are 2 minutes to
 * connect, 30 s for the greeting and 10 minutes of silence on an open connection: a server
 * that accepted the connection and never answered held `switchboard setup` (and a server's
 * send) that long. Bounded like every other outbound request (connectors and Web Push 10 s).
 */
export interface MailTimeouts {
	/** Opening the connection: DNS, TCP and TLS. @default 10 s */
	connectionMs: number;
	/** From connected to the server's greeting. @default 10 s */
	greetingMs: number;
	/**
	 * Silence on an open connection, e.g. between a command and its reply; longer than the
	 * others, as some servers scan a message before they accept it. @default 30 s
	 */
	socketMs: number;
}

export const defaultMailTimeouts: MailTimeouts = {
	connectionMs: 10_000,
	greetingMs: 10_000,
	socketMs: 30_000,
};

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

/**
 * nodemailer's timeout (`ETIMEDOUT`) in words that name the server and the bound; other
 * errors as they are. The URL's host only: it may carry a password.
 */
function explained(error: unknown, smtpUrl: string, timeouts: MailTimeouts): unknown {
	const { code, timeoutType } = error as { code?: unknown; timeoutType?: unknown };
	if (code !== "ETIMEDOUT" || !(error instanceof Error)) return error;
	const server = `the mail server ${new URL(smtpUrl).host}`;
	const seconds = (ms: number) => `${ms / 1000} s`;
	const said =
		timeoutType === "CONNECT_TIMEOUT"
			? `could not connect to ${server} within ${seconds(timeouts.connectionMs)}`
			: timeoutType === "GREETING_TIMEOUT"
				? `${server} did not greet within ${seconds(timeouts.greetingMs)}`
				: `${server} did not answer within ${seconds(timeouts.socketMs)}`;
	return new Error(`${said} (${error.message})`, { cause: error });
}

export function createMailer(options: {
	smtpUrl: string;
	from: string;
	logger: Logger;
	/** The waits left out keep `defaultMailTimeouts`. */
	timeouts?: Partial<MailTimeouts>;
}): Mailer {
	const timeouts = withDefaults(defaultMailTimeouts, options.timeouts);
	// Pooled: a batch of ten thousand links reuses a few connections instead of opening one each.
	const { createTransport } = require("nodemailer") as typeof import("nodemailer");
	const transport = createTransport({
		url: options.smtpUrl,
		pool: true,
		maxConnections: MAX_CONNECTIONS,
		connectionTimeout: timeouts.connectionMs,
		greetingTimeout: timeouts.greetingMs,
		socketTimeout: timeouts.socketMs,
	});
	return {
		async sendLinks(links) {
			let failed = 0;
			let first: unknown;
			await Promise.all(
				links.map(async (link) => {
					try {
						await transport.sendMail({ from: options.from, to: link.email, ...message(link) });
					} catch (thrown) {
						const error = explained(thrown, options.smtpUrl, timeouts);
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
