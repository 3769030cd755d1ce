/**
 * Where a reply recorded by hand (markReplied) may be: on the conversation's own network.
 * A link pasted from the wrong tab (the draft, another conversation, a help page) would
 * otherwise stand on the record as "Replied" while the author got no answer.
 *
 * Only networks served from a known set of hosts are checked. Mastodon is federated: the
 * reply lives on the instance of the account that posted it, which Switchboard does not
 * always know (a member's own account, not connected), and a mention does not record the
 * source that brought it. RSS, webhook and other mentions come from anywhere.
 */
import { NETWORK_NAMES, type Network } from "./model.ts";

/**
 * The hosts a network's posts are on; a subdomain of one (`mobile.twitter.com`) is too.
 * Bluesky's are the app's post pages, as the Bluesky connector records them
 * (`https://bsky.app/profile/<handle>/post/<rkey>`): a PDS serves no page for a post.
 */
export const REPLY_HOSTS: Readonly<Partial<Record<Network, readonly string[]>>> = {
	twitter: ["twitter.com", "x.com"],
	bluesky: ["bsky.app"],
};

/**
 * Why `url` cannot be the reply of a conversation on `network`, or null when it can (or
 * when the network's hosts are not known). `url` is taken to be a web link already.
 */
export function replyLinkProblem(network: Network, url: string): string | null {
	const hosts = REPLY_HOSTS[network];
	if (!hosts || !URL.canParse(url)) return null;
	const host = new URL(url).hostname.toLowerCase();
	if (hosts.some((known) => host === known || host.endsWith(`.${known}`))) return null;
	const name = NETWORK_NAMES[network];
	const where = hosts.join(" or ");
	return `This is a ${name} conversation: the reply's link must be on ${where}, not ${host}. Copy it from the reply you posted on ${name}.`;
}
