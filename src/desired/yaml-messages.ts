/**
 * js-yaml's reasons for refusing a text, in hermes' words (the start of the reason -> the
 * message). A reason not listed keeps its text after a sentence of ours.
 */
const MESSAGES: [string, string][] = [
  ['duplicated mapping key', 'this key appears twice in the same mapping; each key may appear once'],
  ['bad indentation of a mapping entry', 'bad indentation: this line is not aligned with the keys of its mapping'],
  ['bad indentation of a sequence entry', 'bad indentation: this list item is not aligned with the items of its list'],
  ['unexpected end of the stream within a double quoted scalar', 'a double-quoted string is not closed (a " is missing)'],
  ['unexpected end of the document within a double quoted scalar', 'a double-quoted string is not closed (a " is missing)'],
  ['unexpected end of the stream within a single quoted scalar', "a single-quoted string is not closed (a ' is missing)"],
  ['unexpected end of the document within a single quoted scalar', "a single-quoted string is not closed (a ' is missing)"],
  ['unexpected end of the stream within a flow collection', 'a [ or { is not closed'],
  ['missed comma between flow collection entries', 'a comma is missing between two items of a [ ] list or { } mapping'],
  ['tab characters must not be used in indentation', 'a tab is used for indentation; YAML indents with spaces only'],
  ['can not read an implicit mapping pair; a colon is missed', 'a key without a colon: write key: value'],
  ['can not read a block mapping entry; a multiline key may not be an implicit key', 'a key runs over several lines, or a value is not indented under its key'],
  ['a whitespace character is expected after the key-value separator within a block mapping', 'a colon must be followed by a space (key: value); quote a value that holds ":"'],
  ['end of the stream or a document separator is expected', 'unexpected text: this line does not belong to the mapping or list above it'],
  ['incomplete explicit mapping pair', "a line starting with ':' has no key"],
  ['the stream contains non-printable characters', 'the file holds a control character, which YAML does not allow in a file'],
  ['null byte is not allowed in input', 'the file holds a NUL byte, which YAML does not allow (is it a binary file?)'],
  ['unknown escape sequence', 'a double-quoted string holds an unknown escape (\\ followed by an unexpected character); write \\\\ for a backslash'],
  ['expected hexadecimal character', 'a \\x, \\u or \\U escape in a double-quoted string needs hexadecimal digits'],
  ['missing indentation for block scalar', 'the lines of a | or > text must be indented under their key'],
  ['nesting exceeded maxDepth', 'the document is nested more than 100 levels deep'],
  ['unidentified alias', "an alias (*name): hermes' format does not use anchors, aliases or merge keys; write the value out"],
  ['name of an anchor node', "an anchor (&) without a name: hermes' format does not use anchors"],
  ['name of an alias node', "an alias (*) without a name: hermes' format does not use aliases"],
  ['deficient indentation', 'the indentation is less than the text above it expects'],
  ['unknown document directive', 'an unknown % directive; hermes files need none'],
  ['unsupported YAML version', 'a %YAML directive for a version other than 1.x; hermes files need none'],
  ['non-ASCII line breaks are interpreted as content', 'a Unicode line or paragraph separator is read as text, not as a line break'],
];

export function yamlErrorMessage(reason: string): string {
  const found = MESSAGES.find(([start]) => reason.startsWith(start));
  return found ? `YAML: ${found[1]}` : `YAML: this is not YAML that hermes can read (${reason.split('\n')[0]})`;
}
