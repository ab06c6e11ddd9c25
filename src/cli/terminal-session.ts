/**
 * The shell on a terminal: a small line editor in raw mode, so that it can behave like IOS where Node's
 * readline cannot. `?` prints help at once and gives the line back; Tab completes a keyword; arrows walk
 * the history; long output stops at `--More--` (space: a page, Enter: a line, anything else: stop).
 */
import { emitKeypressEvents } from 'node:readline';
import type { ReadStream } from 'node:tty';
import type { Writable } from 'node:stream';
import { complete } from './command-tree.js';
import { helpFor } from './exec.js';
import type { ExecShell } from './shell.js';

interface Key {
  name?: string;
  ctrl?: boolean;
  meta?: boolean;
  sequence?: string;
}

const MORE = ' --More-- ';

export function runTerminal(shell: ExecShell, input: ReadStream, output: Writable): Promise<void> {
  let line = '';
  let cursor = 0;
  let historyAt = shell.history.length;
  let mode: 'edit' | 'busy' | 'more' = 'edit';
  let onMoreKey: ((key: Key, s: string | undefined) => void) | null = null;
  /** Keys typed (or pasted) while a command runs: replayed once the prompt is back, as IOS does. */
  const typeAhead: Array<[string | undefined, Key | undefined]> = [];

  const redraw = (): void => {
    const back = line.length - cursor;
    output.write(`\r\x1b[K${shell.prompt}${line}${back > 0 ? `\x1b[${back}D` : ''}`);
  };
  const setLine = (text: string): void => {
    line = text;
    cursor = text.length;
    redraw();
  };

  /** Print `text`, pausing at each screenful while the terminal length says so. */
  const page = async (text: string): Promise<void> => {
    const lines = text.split('\n');
    const size = shell.terminalLength > 0 ? Math.max(1, shell.terminalLength - 1) : Infinity;
    let i = 0;
    let take = size;
    while (i < lines.length) {
      const chunk = lines.slice(i, i + take);
      output.write(`${chunk.join('\n')}\n`);
      i += chunk.length;
      if (i >= lines.length) return;
      output.write(MORE);
      mode = 'more';
      const key = await new Promise<{ key: Key; s: string | undefined }>(
        (r) => (onMoreKey = (k, s) => r({ key: k, s })),
      );
      output.write(`\r${' '.repeat(MORE.length)}\r`);
      if (key.s === ' ') take = size;
      else if (key.key.name === 'return' || key.key.name === 'enter') take = 1;
      else return;
    }
  };

  return new Promise<void>((done) => {
    const finish = (): void => {
      input.off('keypress', onKey);
      input.off('end', finish);
      if (input.isTTY) input.setRawMode(false);
      input.pause();
      done();
    };

    const submit = async (): Promise<void> => {
      output.write('\n');
      mode = 'busy';
      const text = await shell.run(line);
      if (text !== '') await page(text);
      if (shell.exiting) return finish();
      historyAt = shell.history.length;
      mode = 'edit';
      setLine('');
      while (mode === 'edit' && typeAhead.length > 0) {
        const [s, key] = typeAhead.shift() ?? [];
        onKey(s, key);
      }
    };

    function onKey(s: string | undefined, key: Key = {}): void {
      if (mode === 'more') {
        const k = onMoreKey;
        onMoreKey = null;
        if (k === null) typeAhead.push([s, key]);
        else k(key, s);
        return;
      }
      if (mode === 'busy') {
        typeAhead.push([s, key]);
        return;
      }
      if (key.ctrl && key.name === 'c') {
        output.write('\n');
        return setLine('');
      }
      if (key.ctrl && (key.name === 'd' || key.name === 'z') && line === '') {
        output.write('\n');
        return finish();
      }
      switch (key.ctrl ? `^${key.name ?? ''}` : key.name) {
        case 'return':
        case 'enter':
          return void submit();
        case 'backspace':
          if (cursor > 0) {
            line = line.slice(0, cursor - 1) + line.slice(cursor);
            cursor--;
          }
          return redraw();
        case 'delete':
          line = line.slice(0, cursor) + line.slice(cursor + 1);
          return redraw();
        case 'left':
        case '^b':
          cursor = Math.max(0, cursor - 1);
          return redraw();
        case 'right':
        case '^f':
          cursor = Math.min(line.length, cursor + 1);
          return redraw();
        case 'home':
        case '^a':
          cursor = 0;
          return redraw();
        case 'end':
        case '^e':
          cursor = line.length;
          return redraw();
        case '^u':
          return setLine('');
        case '^w': {
          const head = line.slice(0, cursor).replace(/\S*\s*$/, '');
          line = head + line.slice(cursor);
          cursor = head.length;
          return redraw();
        }
        case 'up':
        case '^p':
          if (historyAt > 0) setLine(shell.history[--historyAt] ?? '');
          return;
        case 'down':
        case '^n':
          if (historyAt < shell.history.length) setLine(shell.history[++historyAt] ?? '');
          return;
        case 'tab': {
          const c = complete(shell.tree, line.slice(0, cursor));
          if (c.completions.length !== 1) return;
          const head = line.slice(0, cursor - c.partial.length) + (c.completions[0] ?? '');
          line = head + line.slice(cursor).trimStart();
          cursor = head.length;
          return redraw();
        }
      }
      if (s === '?') {
        const help = helpFor(shell.tree, line.slice(0, cursor), shell.prompt.length);
        output.write(`?\n${help.text}\n\n`);
        return redraw();
      }
      if (s !== undefined && !key.ctrl && !key.meta && /^[\x20-\x7e]+$/.test(s)) {
        const atEnd = cursor === line.length;
        line = line.slice(0, cursor) + s + line.slice(cursor);
        cursor += s.length;
        if (atEnd)
          output.write(s); // the common case: no need to redraw the line
        else redraw();
      }
    }

    emitKeypressEvents(input);
    if (input.isTTY) input.setRawMode(true);
    input.on('keypress', onKey);
    input.on('end', finish);
    input.resume();
    redraw();
  });
}
