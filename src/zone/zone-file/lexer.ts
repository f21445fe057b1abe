// Master-file lexer (RFC 1035 §5.1): splits text into entries, one per logical line, where
// parentheses join physical lines, `;` starts a comment, quoted strings keep spaces and a line
// that starts with a blank belongs to the previous owner. Tokens keep their escapes (the RDATA
// codecs decode them per field) and their 1-based line and column.
// Deviation: a quoted string must close on its own line (BIND and Knot agree).

import { type RdataToken, scanBare, scanQuoted } from '../rdata/index.js';

/** Entry is one logical line: its tokens, whether it began with a blank, its first line. */
export interface Entry {
  readonly tokens: RdataToken[];
  readonly blankOwner: boolean;
  readonly line: number;
}

/** LexError locates a lexical error. */
export interface LexError {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** Lexer yields entries from master-file text; `next` returns undefined at the end. */
export class Lexer {
  private pos = 0;
  private line = 1;
  private lineStart = 0;

  constructor(private readonly text: string) {
    // A UTF-8 byte order mark is not part of the first owner name.
    if (text.charCodeAt(0) === 0xfeff) this.pos = this.lineStart = 1;
  }

  /** next returns the next non-empty entry, undefined at the end, or a LexError. */
  next(): Entry | undefined | LexError {
    const text = this.text;
    const n = text.length;
    while (this.pos < n) {
      const first = text.charCodeAt(this.pos);
      const blankOwner = first === 0x20 || first === 0x09;
      const entryLine = this.line;
      const tokens: RdataToken[] = [];
      let depth = 0;
      let openLine = 0;
      let openColumn = 0;
      let pos = this.pos;
      while (pos < n) {
        const c = text.charCodeAt(pos);
        if (c === 0x0a) {
          pos++;
          this.line++;
          this.lineStart = pos;
          if (depth === 0) break;
          continue;
        }
        if (c === 0x20 || c === 0x09 || c === 0x0d) {
          pos++;
          continue;
        }
        if (c === 0x3b) {
          const nl = text.indexOf('\n', pos);
          pos = nl < 0 ? n : nl;
          continue;
        }
        const column = pos - this.lineStart + 1;
        if (c === 0x28) {
          if (depth === 0) {
            openLine = this.line;
            openColumn = column;
          }
          depth++;
          pos++;
          continue;
        }
        if (c === 0x29) {
          if (depth === 0) return this.fail(column, 'unbalanced ")"');
          depth--;
          pos++;
          continue;
        }
        if (c === 0x22) {
          const end = scanQuoted(text, pos + 1);
          if (end < 0) return this.fail(column, 'unterminated quoted string');
          tokens.push({ text: text.slice(pos + 1, end), quoted: true, line: this.line, column });
          pos = end + 1;
          continue;
        }
        const end = scanBare(text, pos);
        if (end < 0) return this.fail(column, 'unterminated quoted string');
        tokens.push({ text: text.slice(pos, end), quoted: false, line: this.line, column });
        pos = end;
      }
      this.pos = pos;
      if (depth > 0) {
        return { line: openLine, column: openColumn, message: 'unbalanced "(": end of file before ")"' };
      }
      if (tokens.length > 0) return { tokens, blankOwner, line: entryLine };
    }
    return undefined;
  }

  private fail(column: number, message: string): LexError {
    this.pos = this.text.length;
    return { line: this.line, column, message };
  }
}

/** isLexError tells a LexError from an Entry. */
export function isLexError(x: Entry | LexError): x is LexError {
  return (x as LexError).message !== undefined;
}
