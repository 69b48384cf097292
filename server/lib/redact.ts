/**
 * Text as it may be printed or logged: the password of every URL in it replaced by ***, wherever it
 * was written (`user:password@`, also with an unescaped '@' inside, or `?password=`).
 */
export function redactUrlPasswords(text: string): string {
  return text.replace(/([?&]password=)[^&\s]*/gi, '$1***').replace(/(\/\/[^:/@\s]*):[^\s]*@/g, '$1:***@');
}
