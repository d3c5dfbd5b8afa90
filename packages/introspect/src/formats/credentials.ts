// Internal to @autowatch/introspect: not exported (the public API is what README.md documents).
/**
 * Secrets a build's URL may carry must not travel to the master in the watch file: a
 * `user:password@` loses its password, and a user part written with an environment variable
 * (`https://${GITHUB_TOKEN}@github.com/...`, a token) goes whole. The master polls with its own
 * credentials.
 */
const USER_INFO = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^@/?#]*)@/;

/** Whether the text of a URL as written (before expansion) puts a variable in its user part. */
export function userInfoFromVariable(written: string): boolean {
  return /:\/\/[^@/?#\s]*\$[^@/?#\s]*@/.test(written);
}

export function withoutCredentials(url: string, fromVariable: boolean): { url: string; removed: boolean } {
  const match = USER_INFO.exec(url);
  if (!match) return { url, removed: false };
  const [whole, scheme, userInfo] = match as unknown as [string, string, string];
  const rest = url.slice(whole.length);
  if (fromVariable) return { url: `${scheme}${rest}`, removed: true };
  const colon = userInfo.indexOf(":");
  if (colon === -1) return { url, removed: false };
  return { url: `${scheme}${userInfo.slice(0, colon)}@${rest}`, removed: true };
}

export const CREDENTIALS_REMOVED = "credentials removed from the URL (they are not sent to the master, which polls with its own)";
