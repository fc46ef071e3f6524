// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Whether a name holds a C0 control character or DEL. Names (of credentials, companies, people,
 * meeting types) are one line of display text: a control character is never part of one, and
 * printed by the CLI to a terminal it would act as an escape sequence. U+0000 would also fail in
 * PostgreSQL's `text`.
 */
export function hasControlCharacters(text: string): boolean {
  return CONTROL.test(text);
}
