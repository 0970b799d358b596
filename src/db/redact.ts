/** The URL with any password (in the authority or a password= parameter) replaced by "***", for messages and logs. */
export function redactDbUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, '$1***@').replace(/([?&]password=)[^&]*/gi, '$1***');
}
