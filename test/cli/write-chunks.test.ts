import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { writeChunks } from '../../src/cli/run-command.js';

/** A stream that takes a write every `delayMs` (a reader slower than the writer), recording what it got. */
function slowSink(delayMs: number) {
  const got: string[] = [];
  let maxBuffered = 0;
  const stream = new Writable({
    highWaterMark: 1024,
    decodeStrings: false,
    write(chunk: string, _encoding, done) {
      got.push(chunk);
      setTimeout(done, delayMs);
    },
  });
  const write = stream.write.bind(stream);
  stream.write = ((...args: Parameters<typeof write>) => {
    const ok = write(...args);
    maxBuffered = Math.max(maxBuffered, stream.writableLength);
    return ok;
  }) as typeof stream.write;
  return { stream, got, maxBuffered: () => maxBuffered };
}

describe('writeChunks', () => {
  it('fails when a piece that fitted the buffer fails after the last write (the wait for the last piece)', async () => {
    const stream = new Writable({
      highWaterMark: 1 << 20,
      write(_chunk, _encoding, done) {
        setTimeout(() => done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })), 1);
      },
    });
    await expect(writeChunks(stream, ['only piece\n'])).rejects.toMatchObject({ code: 'OUTPUT_FAILED' });
  });

  it('waits for a slow reader instead of queueing every chunk in memory', async () => {
    const sink = slowSink(2);
    const chunks = Array.from({ length: 200 }, (_, i) => `${String(i).padStart(5, '0')}${'x'.repeat(495)}\n`);
    await writeChunks(sink.stream, chunks);
    await new Promise<void>((resolve) => sink.stream.end(resolve));
    expect(sink.got.join('')).toBe(chunks.join(''));
    // At most what fills the buffer once (1,024 bytes) plus the chunk that overflowed it; without waiting, all 100,000 bytes.
    expect(sink.maxBuffered()).toBeLessThanOrEqual(1024 + 501);
  });

  it('rejects with OUTPUT_FAILED when the stream fails (a reader gone), and no error is left unhandled', async () => {
    const stream = new Writable({
      highWaterMark: 16,
      write(_chunk, _encoding, done) {
        setTimeout(() => done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })), 1);
      },
    });
    await expect(writeChunks(stream, ['a'.repeat(64), 'b'.repeat(64), 'c'.repeat(64)])).rejects.toMatchObject({ code: 'OUTPUT_FAILED', message: expect.stringContaining('its reader went away') });
  });
});
