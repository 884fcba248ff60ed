// The Docker reference grammar, as distribution/reference spells it in regexp.go. Every piece is built
// from the same strings so that the anchored expressions below cannot drift apart.

/** Longest repository name (`domain/path`) accepted, in characters. */
export const NAME_TOTAL_LENGTH_MAX = 255;

const alphanumeric = '[a-z0-9]+';
// a period, one or two underscores, or any number of dashes
const separator = '(?:[._]|__|[-]+)';
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const optionalPort = '(?::[0-9]+)?';
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}';
// a bracketed IPv6 address; its inner form is checked loosely, as distribution does
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const host = `(?:${domainName}|${ipv6address})`;
const domainAndPort = `${host}${optionalPort}`;
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const namePattern = `(?:${domainAndPort}/)?${remoteName}`;

/** `name[:tag][@digest]`; groups: 1 name, 2 tag, 3 digest. */
export const REFERENCE_RE: RegExp = new RegExp(`^(${namePattern})(?::(${tag}))?(?:@(${digest}))?$`);

/** `[domain/]path`; groups: 1 domain (may be undefined), 2 path. */
export const NAME_RE: RegExp = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);

/** A whole tag. */
export const TAG_RE: RegExp = new RegExp(`^${tag}$`);

/** 64 lowercase hex digits: an image ID, which is never a repository name. */
export const IDENTIFIER_RE: RegExp = /^[a-f0-9]{64}$/;
